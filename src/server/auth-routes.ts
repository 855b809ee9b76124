import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireToken } from './auth.js';
import type { ServerContext } from './context.js';
import { LoginThrottle } from './login-throttle.js';
import { safeNext } from './safe-redirect.js';

export { safeNext } from './safe-redirect.js';

/** Names and passwords longer than this are never right (config names are short); they still count as failures. */
const FIELD_MAX = 1000;
const loginForm = z.object({ name: z.string().default(''), password: z.string().default(''), next: z.string().optional() });

function isHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/**
 * Login form (`POST /login`, form-encoded: name, password, next) starting a server-side session;
 * `POST /logout` ending it; `GET /api/me` telling the UI who is logged in, what login is required
 * and the CSRF token to send; `GET /api/sessions` listing active sessions and `DELETE /api/sessions/:user`
 * ending a user's sessions (API token).
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext, throttle: LoginThrottle): void {
  // Form bodies are parsed for these two routes only: the JSON API must never accept a form post.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.post('/login', async (req, reply) => login(ctx, throttle, req, reply));
    scope.post('/logout', async (req, reply) => {
      const r = ctx.auth.resolvedOf(req);
      if (r.sessionToken) await ctx.auth.sessions.revoke(r.sessionToken);
      if (r.principal) await ctx.store.appendAudit({ at: ctx.clock.now(), actor: `${r.principal.via}:${r.principal.id}`, action: 'logout', allowed: true, detail: { ip: req.ip } });
      reply.header('Set-Cookie', ctx.auth.clearCookie());
      return reply.redirect('/', 303);
    });
  });

  app.get('/api/me', async (req) => {
    const r = ctx.auth.resolvedOf(req);
    return {
      user: r.principal?.id ?? null,
      via: r.principal?.via ?? null,
      requireLoginForRead: ctx.auth.requireLoginForRead,
      loginForm: ctx.auth.hasUsers,
      sso: ctx.config.ui.trustedUserHeader !== undefined,
      csrfToken: r.csrf ?? null,
    };
  });

  app.get('/api/sessions', async (req, reply) => {
    requireToken(ctx.auth, req, reply);
    const sessions = await ctx.auth.sessions.list();
    // Never the id (a hash of the cookie) or the CSRF token: enough to see who is logged in from where.
    return { sessions: sessions.map((s) => ({ user: s.user, createdAt: s.createdAt, expiresAt: s.expiresAt, ip: s.ip })) };
  });

  app.delete<{ Params: { user: string } }>('/api/sessions/:user', async (req, reply) => {
    const admin = requireToken(ctx.auth, req, reply);
    const revoked = await ctx.auth.sessions.revokeUser(req.params.user);
    await ctx.store.appendAudit({ at: ctx.clock.now(), actor: `${admin.via}:${admin.id}`, action: 'revoke-sessions', target: req.params.user, allowed: true, detail: { revoked } });
    return { user: req.params.user, revoked };
  });
}

async function login(ctx: ServerContext, throttle: LoginThrottle, req: FastifyRequest, reply: FastifyReply) {
  const form = loginForm.safeParse(req.body ?? {});
  const f = form.success ? form.data : { name: '', password: '', next: undefined };
  const next = safeNext(f.next);
  const at = ctx.clock.now();
  const wait = throttle.retryAfterMs(req.ip, f.name);
  if (wait > 0) {
    await ctx.store.appendAudit({ at, actor: f.name || 'anonymous', action: 'login', allowed: false, detail: { ip: req.ip, reason: 'throttled', retryAfterMs: wait } });
    const seconds = Math.ceil(wait / 1000);
    return reply
      .status(429)
      .header('retry-after', String(seconds))
      .send({ error: { code: 'TOO_MANY_REQUESTS', message: `too many failed logins: try again in ${seconds} s` } });
  }
  const tooLong = f.name.length > FIELD_MAX || f.password.length > FIELD_MAX;
  const user = tooLong ? null : ctx.auth.checkPassword(f.name, f.password);
  if (!user) {
    const locked = throttle.failure(req.ip, f.name);
    await ctx.store.appendAudit({ at, actor: f.name || 'anonymous', action: 'login', allowed: false, detail: { ip: req.ip, ...(locked ? { lockedForMs: locked } : {}) } });
    return reply.redirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
  }
  throttle.success(req.ip, f.name);
  const { token } = await ctx.auth.sessions.issue(user, req.ip);
  await ctx.store.appendAudit({ at, actor: user, action: 'login', allowed: true, detail: { ip: req.ip } });
  reply.header('Set-Cookie', ctx.auth.sessionCookie(token, isHttps(req)));
  return reply.redirect(next, 303);
}
