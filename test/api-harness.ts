import { ManualClock, type Clock } from '../src/clock/clock.js';
import { configSchema, type Config } from '../src/config/schema.js';
import type { Build } from '../src/domain/build.js';
import type { StageDef } from '../src/domain/pipeline.js';
import type { ChartProvider } from '../src/monitor/chart.js';
import type { PipelineControl } from '../src/pipeline/control.js';
import { buildServer, type ReleasebotServer } from '../src/server/app.js';
import { createStore } from '../src/store/create.js';
import type { Store } from '../src/store/store.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { SimulatedDeployer } from '../src/pipeline/simulated-deployer.js';

/** Two environments, three stages: enough for lanes, pipelining and a rollback. */
export const TEST_STAGES: StageDef[] = [
  { name: 'staging', environment: 'commercial', tier: 'staging', azs: ['az1'], percent: 100, bakeSeconds: 60 },
  { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1'], percent: 2, bakeSeconds: 60 },
  { name: 'gov-prod', environment: 'gov', tier: 'production', azs: ['gov1'], percent: 100, bakeSeconds: 60 },
];

export const API_TOKEN = 'test-token-0123456789';
export const USER = { name: 'alice', password: 'correct horse battery' };

/** A running test server: real SQLite store, real pipeline runner, injected manual clock. */
export interface Harness {
  app: ReleasebotServer;
  store: Store;
  pipeline: PipelineControl;
  clock: ManualClock;
  /** Advance virtual time and let the pipeline settle. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Lets woken deploy steps report back and their transitions persist. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/** Builds a valid build payload. */
export function buildPayload(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    sha: 'abcdef1234567',
    createdAt: '2024-05-01T10:00:00Z',
    ciUrl: `https://ci.example.com/${id}`,
    pullRequests: [
      { number: 101, title: 'Fix the thing', url: 'https://git.example.com/pr/101', authorName: 'Ada', authorSlackId: 'U01ADA', codeOwners: ['@web'] },
    ],
    ...overrides,
  };
}

/** Server config with a token and a user; `ui` fields override. */
export function serverConfig(ui: Partial<Config['server']['ui']> = {}): Config['server'] {
  const parsed = configSchema.parse({
    server: { apiTokens: [API_TOKEN], ui: { users: [USER], ...ui } },
    pipeline: { stages: TEST_STAGES.map(({ bakeSeconds, ...s }) => ({ ...s, bake: bakeSeconds })) },
  });
  return parsed.server;
}

/**
 * Starts a real SQLite store, the real PipelineRunner with the simulated deployer (10 s steps) on a
 * manual clock, and the server (not listening; tests use inject, or listen on port 0).
 */
export async function startHarness(
  opts: { ui?: Partial<Config['server']['ui']>; charts?: ChartProvider; storeUrl?: string; sessionClock?: Clock } = {},
): Promise<Harness> {
  const clock = new ManualClock(Date.parse('2024-05-01T10:00:00Z'));
  const store = await createStore(opts.storeUrl ?? 'sqlite::memory:');
  const deployer = new SimulatedDeployer({ clock, stepSeconds: 10 });
  const runner = new PipelineRunner({ store, deployer, clock, stages: TEST_STAGES, retry: { retries: 2, backoffSeconds: 5 } });
  await runner.start({ loop: false });
  const pipeline: PipelineControl = runner;
  const app = buildServer({ config: serverConfig(opts.ui), store, pipeline, clock, heartbeatMs: 200, ...(opts.charts ? { charts: opts.charts } : {}), ...(opts.sessionClock ? { sessionClock: opts.sessionClock } : {}) });
  await app.ready();
  return {
    app,
    store,
    pipeline,
    clock,
    async advance(ms: number) {
      // Step in 1 s slices so deploy steps finish and bakes end at their own times, as the loop would.
      // (runner.settle() would wait forever for steps sleeping on the manual clock, so yield instead.)
      for (let left = ms; left > 0; left -= 1000) {
        await clock.advance(Math.min(1000, left));
        await flush();
        await runner.tick();
        await flush();
      }
    },
    async close() {
      await app.close();
      await runner.close();
      await store.close();
    },
  };
}

export type { Build };
