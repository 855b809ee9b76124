import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../domain/pipeline.js';
import { ReleasebotError, asReleasebotError } from '../domain/errors.js';
import type { Principal } from './auth.js';
import type { ServerContext } from './context.js';
import { parseInput } from './http-errors.js';

const reason = z.string().trim().min(1).max(500).optional();
const simpleBody = z.strictObject({ reason }).default({});
const rollbackBody = z.strictObject({ buildId: z.string().min(1), reason });

type ActionName = 'hold' | 'stop' | 'resume' | 'rollback';

/** Performs one action through the shared PipelineActions; returns the response body. */
async function perform(ctx: ServerContext, action: ActionName, body: unknown, actor: Actor): Promise<{ target?: string; reason: string; result: Record<string, unknown> }> {
  const defaultReason = `${action} from the web UI by ${actor.id}`;
  if (action === 'rollback') {
    const b = parseInput(rollbackBody, body, 'rollback request');
    const why = b.reason ?? defaultReason;
    const rolledBack = await ctx.pipeline.rollback(b.buildId, actor, why, { source: 'web' });
    return { target: b.buildId, reason: why, result: { rolledBack } };
  }
  const b = parseInput(simpleBody, body ?? {}, `${action} request`);
  const why = b.reason ?? defaultReason;
  await ctx.pipeline[action](actor, why);
  return { reason: why, result: {} };
}

function auditActor(p: Principal | null): string {
  return p ? `${p.via}:${p.id}` : 'anonymous';
}

/**
 * `POST /api/actions/{hold,stop,resume,rollback}`: login required (API token, session or SSO header).
 * Every attempt, allowed or refused, goes into the audit log.
 */
export function registerActionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const action of ['hold', 'stop', 'resume', 'rollback'] as const) {
    app.post(`/api/actions/${action}`, async (req: FastifyRequest, reply) => {
      const principal = ctx.auth.principalOf(req);
      const at = ctx.clock.now();
      if (!principal) {
        ctx.metrics.actions.inc({ action, allowed: 'false' });
        await ctx.store.appendAudit({ at, actor: 'anonymous', action, allowed: false, detail: { reason: 'login required', ip: req.ip } });
        throw new ReleasebotError('UNAUTHORIZED', `login required to ${action}: log in on /login or send "Authorization: Bearer <token>"`);
      }
      const actor: Actor = { kind: 'person', id: principal.id };
      try {
        const done = await perform(ctx, action, req.body, actor);
        ctx.metrics.actions.inc({ action, allowed: 'true' });
        await ctx.store.appendAudit({
          at,
          actor: auditActor(principal),
          action,
          ...(done.target ? { target: done.target } : {}),
          allowed: true,
          detail: { reason: done.reason, ...done.result },
        });
        return reply.send({ ok: true, action, ...done.result });
      } catch (err) {
        const e = asReleasebotError(err);
        // The caller was allowed; the action itself failed (bad input, unknown build): still on record, with why.
        await ctx.store.appendAudit({ at, actor: auditActor(principal), action, allowed: true, detail: { error: e.message, code: e.code } });
        throw e;
      }
    });
  }
}
