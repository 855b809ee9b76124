import type { FastifyInstance } from 'fastify';
import { asReleasebotError } from '../domain/errors.js';
import { requireReader } from './auth.js';
import type { ServerContext } from './context.js';

/** A readiness probe gives up after this long: a hung store is not ready. */
const PROBE_TIMEOUT_MS = 3000;

/** The tick loop counts as stuck after this many tick periods without a turn (liveness). */
const STALL_TICKS = 30;

/**
 * `GET /healthz` (liveness, always open): 200 while the process and its pipeline loop run, with the
 * store's state for information (a store outage is not a reason to restart the bot); 503 when the
 * tick loop has not turned for a long time. `GET /readyz` (readiness, always open): 200 only when
 * the store and the metrics backend answer now; otherwise 503 with the documented error body
 * naming what is down; both report this process's role (`single`, `leader` or `follower`). `GET /metrics` (Prometheus text format).
 */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async (_req, reply) => {
    const s = ctx.pipeline.snapshot();
    const status = ctx.pipeline.status?.();
    const now = ctx.clock.now();
    const body = { ok: true, now, ...ctx.role(), stages: s.stages.length, queue: s.queue.length, held: s.hold !== null, store: status?.store ?? { ok: true }, pendingResults: status?.pendingResults ?? 0 };
    const stalledMs = status?.lastLoopAt === undefined ? 0 : now - status.lastLoopAt;
    if (status && stalledMs > STALL_TICKS * status.tickMs) {
      return reply.status(503).send({ error: { code: 'UNKNOWN', message: `the pipeline loop has not run for ${Math.round(stalledMs / 1000)} s` } });
    }
    return body;
  });

  app.get('/readyz', async (_req, reply) => {
    const problems: Array<{ code: string; message: string }> = [];
    try {
      await within(ctx.store.ping(), 'store ping');
    } catch (e) {
      problems.push({ code: 'STORE_FAILED', message: `store: ${asReleasebotError(e).message}` });
    }
    if (ctx.metricsOnline) {
      const online = await within(ctx.metricsOnline(), 'metrics backend').catch(() => false);
      if (!online) problems.push({ code: 'BACKEND_DOWN', message: 'metrics backend: not answering' });
    }
    // Every replica is ready to serve the API and UI; the role says which one runs the pipeline.
    if (problems.length === 0) return { ok: true, store: 'ok', metrics: ctx.metricsOnline ? 'ok' : 'not checked', ...ctx.role() };
    const first = problems[0];
    return reply.status(503).send({ error: { code: first.code, message: problems.map((p) => p.message).join('; '), details: { problems } } });
  });

  app.get('/metrics', async (req, reply) => {
    // Build ids and stage names are in the metrics: they follow the read-login setting (Prometheus can send a Bearer token).
    requireReader(ctx.auth, req);
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}

/** `p`, or a rejection after PROBE_TIMEOUT_MS (wall time: a probe must answer the load balancer promptly). */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
