import type { FastifyInstance } from 'fastify';
import { ReleasebotError } from '../domain/errors.js';
import type { ServerContext } from './context.js';
import { csrfProblem } from './csrf.js';

/**
 * Resolves who is asking before any route runs (`onRequest`), and refuses cross-site
 * state-changing requests once the body is parsed (`preHandler`). Both refusals are audited.
 */
export function installAuthHooks(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', async (req) => {
    const r = await ctx.auth.resolve(req);
    if (r.untrustedHeader) {
      const header = ctx.config.ui.trustedUserHeader ?? '';
      await ctx.store.appendAudit({
        at: ctx.clock.now(),
        actor: r.untrustedHeader.user,
        action: 'sso-header',
        allowed: false,
        detail: { reason: 'user header from an address not in server.ui.trustedProxies', peer: r.untrustedHeader.peer, method: req.method, path: req.url.split('?')[0] },
      });
      throw new ReleasebotError('UNAUTHORIZED', `${header} is only accepted from a trusted proxy (server.ui.trustedProxies)`);
    }
  });
  app.addHook('preHandler', async (req) => {
    const path = req.url.split('?')[0];
    const problem = csrfProblem(req, ctx.auth.resolvedOf(req), { publicUrl: ctx.config.ui.publicUrl, loginPath: path === '/login' });
    if (!problem) return;
    const p = ctx.auth.principalOf(req);
    await ctx.store.appendAudit({ at: ctx.clock.now(), actor: p ? `${p.via}:${p.id}` : 'anonymous', action: 'csrf', target: path, allowed: false, detail: { reason: problem, ip: req.ip } });
    throw new ReleasebotError('FORBIDDEN', problem);
  });
}
