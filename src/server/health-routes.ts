import type { FastifyInstance } from 'fastify';
import { requireReader } from './auth.js';
import type { ServerContext } from './context.js';

/** `GET /healthz` (always open, for load balancers) and `GET /metrics` (Prometheus text format). */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => {
    const s = ctx.pipeline.snapshot();
    return { ok: true, now: ctx.clock.now(), stages: s.stages.length, queue: s.queue.length, held: s.hold !== null };
  });

  app.get('/metrics', async (req, reply) => {
    // Build ids and stage names are in the metrics: they follow the read-login setting (Prometheus can send a Bearer token).
    requireReader(ctx.auth, req);
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}
