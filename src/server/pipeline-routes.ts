import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireReader } from './auth.js';
import type { ServerContext } from './context.js';
import { parseInput } from './http-errors.js';
import { pipelineView } from './pipeline-view.js';

const decisionsQuery = z.strictObject({
  buildId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
});

/** The pipeline board's data (`GET /api/pipeline`) and the decision log (`GET /api/decisions`). */
export function registerPipelineRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/pipeline', async (req) => {
    requireReader(ctx.auth, req);
    return pipelineView(ctx.pipeline.snapshot(), ctx.clock.now(), ctx.store);
  });

  app.get('/api/decisions', async (req) => {
    requireReader(ctx.auth, req);
    const q = parseInput(decisionsQuery, req.query, 'query');
    const decisions = await ctx.store.listDecisions(q.buildId ? { buildId: q.buildId, limit: q.limit } : { limit: q.limit });
    return { decisions };
  });
}
