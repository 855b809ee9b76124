import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from './context.js';

const loginForm = z.object({ name: z.string().default(''), password: z.string().default(''), next: z.string().optional() });

/** Only same-site paths: `next` must never send a user to another site after login. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

function isHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/**
 * Login form (`POST /login`, form-encoded: name, password, next) issuing an HMAC-signed session
 * cookie; `POST /logout`; `GET /api/me` telling the UI who is logged in and what login is required.
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Fastify parses JSON only; the login form posts application/x-www-form-urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.post('/login', async (req, reply) => {
    const form = loginForm.safeParse(req.body ?? {});
    const f = form.success ? form.data : { name: '', password: '', next: undefined };
    const next = safeNext(f.next);
    const user = ctx.auth.checkPassword(f.name, f.password);
    await ctx.store.appendAudit({ at: ctx.clock.now(), actor: f.name || 'anonymous', action: 'login', allowed: user !== null, detail: { ip: req.ip } });
    if (!user) return reply.redirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
    reply.header('Set-Cookie', ctx.auth.sessionCookie(ctx.auth.issueSession(user), isHttps(req)));
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (_req, reply) => {
    reply.header('Set-Cookie', ctx.auth.clearCookie());
    return reply.redirect('/', 303);
  });

  app.get('/api/me', async (req) => {
    const p = ctx.auth.principalOf(req);
    return {
      user: p?.id ?? null,
      via: p?.via ?? null,
      requireLoginForRead: ctx.auth.requireLoginForRead,
      loginForm: ctx.auth.hasUsers,
      sso: ctx.config.ui.trustedUserHeader !== undefined,
    };
  });
}
