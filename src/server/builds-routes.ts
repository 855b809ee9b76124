import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Build } from '../domain/build.js';
import { ReleasebotError } from '../domain/errors.js';
import { requireReader, requireToken } from './auth.js';
import { buildPayload } from './build-payload.js';
import type { ServerContext } from './context.js';
import { parseInput } from './http-errors.js';
import { latestGatePerStage, presentEvent } from './verdict-table.js';

const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Builds in (`POST /api/builds`, CI with an API token) and out (`GET /api/builds[/:id]`). */
export function registerBuildRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/builds', async (req, reply) => {
    // Authenticate before validating: an anonymous caller learns nothing about the payload format.
    requireToken(ctx.auth, req, reply);
    const body = parseInput(buildPayload, req.body, 'build payload');
    const build: Build = { ...body, receivedAt: new Date(ctx.clock.now()).toISOString() };
    const result = await ctx.pipeline.submitBuild(build);
    ctx.metrics.buildsReceived.inc({ result });
    return reply.status(result === 'created' ? 201 : 200).send({ id: build.id, result });
  });

  app.get('/api/builds', async (req) => {
    requireReader(ctx.auth, req);
    const { limit } = parseInput(listQuery, req.query, 'query');
    const state = ctx.pipeline.snapshot();
    const builds = await ctx.store.listBuilds({ limit });
    return { builds: builds.map((b) => ({ ...b, state: state.builds[b.id] ?? null })) };
  });

  app.get<{ Params: { id: string } }>('/api/builds/:id', async (req) => {
    requireReader(ctx.auth, req);
    const id = req.params.id;
    const build = await ctx.store.getBuild(id);
    if (!build) throw new ReleasebotError('NOT_FOUND', `unknown build "${id}"`, { buildId: id });
    const state = ctx.pipeline.snapshot();
    const bs = state.builds[id] ?? null;
    const [steps, decisions, events, included, gateRecords] = await Promise.all([
      ctx.store.listSteps({ buildId: id }),
      ctx.store.listDecisions({ buildId: id }),
      ctx.store.listEvents({ buildId: id }),
      Promise.all((bs?.includes ?? []).map((b) => ctx.store.getBuild(b))),
      ctx.store.listGateRecords({ buildId: id, limit: 500 }),
    ]);
    // The evidence each promotion relied on: the newest gate evaluation per stage.
    const gates = latestGatePerStage(gateRecords);
    return {
      build,
      state: bs,
      // PRs of superseded builds ride along with this one.
      includedBuilds: included.filter((b): b is Build => b !== undefined),
      stages: state.stages,
      steps,
      decisions,
      // With headline and per-check verdicts, so the build page never prints raw detector text.
      events: events.map((e) => presentEvent(e, gates)),
      gates,
      now: ctx.clock.now(),
    };
  });
}
