import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireReader } from './auth.js';
import type { ServerContext } from './context.js';
import { parseInput } from './http-errors.js';
import { pipelineView } from './pipeline-view.js';
import { loadStatusStrip } from './status-strip.js';
import { timelineView } from './timeline-view.js';

const decisionsQuery = z.strictObject({
  buildId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
});

const timelineQuery = z.strictObject({ hours: z.coerce.number().min(1).max(24 * 7).default(24) });

/**
 * The pipeline board's data (`GET /api/pipeline`), the status strip every page shows (`GET /api/status`),
 * the last day's timeline (`GET /api/timeline`) and the decision log (`GET /api/decisions`).
 */
export function registerPipelineRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/pipeline', async (req) => {
    requireReader(ctx.auth, req);
    return pipelineView(ctx.pipeline.snapshot(), ctx.clock.now(), ctx.store);
  });

  app.get('/api/status', async (req) => {
    requireReader(ctx.auth, req);
    return loadStatusStrip(ctx.pipeline.snapshot(), ctx.clock.now(), ctx.store);
  });

  app.get('/api/timeline', async (req) => {
    requireReader(ctx.auth, req);
    const { hours } = parseInput(timelineQuery, req.query, 'query');
    const state = ctx.pipeline.snapshot();
    const [steps, events, decisions] = await Promise.all([ctx.store.listSteps({ limit: 2000 }), ctx.store.listEvents({ limit: 500 }), ctx.store.listDecisions({ limit: 2000 })]);
    return timelineView({ now: ctx.clock.now(), spanMs: hours * 3600_000, stages: state.stages.map((s) => s.name), steps, events, decisions });
  });

  app.get('/api/decisions', async (req) => {
    requireReader(ctx.auth, req);
    const q = parseInput(decisionsQuery, req.query, 'query');
    const decisions = await ctx.store.listDecisions(q.buildId ? { buildId: q.buildId, limit: q.limit } : { limit: q.limit });
    return { decisions };
  });
}
