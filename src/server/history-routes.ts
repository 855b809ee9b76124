import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requirePrincipal, requireReader } from './auth.js';
import type { ServerContext } from './context.js';
import { historyView } from './history-view.js';
import { parseInput } from './http-errors.js';

const historyQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) });

/** Past deploys and bot-vs-human decision figures (`GET /api/history`) and the audit log (`GET /api/audit`). */
export function registerHistoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/history', async (req) => {
    requireReader(ctx.auth, req);
    const { limit } = parseInput(historyQuery, req.query, 'query');
    const [builds, decisions, steps] = await Promise.all([ctx.store.listBuilds({ limit }), ctx.store.listDecisions(), ctx.store.listSteps()]);
    return historyView({ now: ctx.clock.now(), state: ctx.pipeline.snapshot(), builds, decisions, steps });
  });

  app.get('/api/audit', async (req) => {
    // Who logged in from where, and who was refused: for logged-in users only, whatever requireLoginForRead says.
    requirePrincipal(ctx.auth, req);
    const { limit } = parseInput(historyQuery, req.query, 'query');
    return { audit: await ctx.store.listAudit({ limit }) };
  });
}
