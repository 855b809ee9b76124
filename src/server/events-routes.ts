import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ReleasebotError } from '../domain/errors.js';
import type { CheckChart } from '../monitor/chart.js';
import { requireReader } from './auth.js';
import type { ServerContext } from './context.js';
import { parseInput } from './http-errors.js';
import { presentEvent } from './verdict-table.js';

const listQuery = z.strictObject({
  status: z.enum(['open', 'closed']).optional(),
  buildId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Deploy events (`GET /api/events`) and one event with its checks' charts (`GET /api/events/:id`). */
export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/events', async (req) => {
    requireReader(ctx.auth, req);
    const q = parseInput(listQuery, req.query, 'query');
    const opts: Parameters<typeof ctx.store.listEvents>[0] = { limit: q.limit };
    if (q.status) opts.status = q.status;
    if (q.buildId) opts.buildId = q.buildId;
    return { events: (await ctx.store.listEvents(opts)).map((e) => presentEvent(e)), now: ctx.clock.now() };
  });

  app.get<{ Params: { id: string } }>('/api/events/:id', async (req) => {
    requireReader(ctx.auth, req);
    const event = await ctx.store.getEvent(req.params.id);
    if (!event) throw new ReleasebotError('NOT_FOUND', `unknown event "${req.params.id}"`, { eventId: req.params.id });
    let charts: CheckChart[] = [];
    let chartsError: string | undefined;
    if (ctx.charts) {
      try {
        charts = await ctx.charts.chartsForEvent(event.id);
      } catch (err) {
        // The event itself is still worth showing when the metrics backend cannot draw its charts.
        chartsError = err instanceof Error ? err.message : String(err);
      }
    } else {
      chartsError = 'no chart provider configured';
    }
    const build = ctx.pipeline.snapshot().builds[event.buildId];
    return { event: presentEvent(event), buildStatus: build?.status ?? null, charts, ...(chartsError ? { chartsError } : {}), now: ctx.clock.now() };
  });
}
