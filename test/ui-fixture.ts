import { ScaledClock } from '../src/clock/clock.js';
import type { Build } from '../src/domain/build.js';
import type { DeployEvent } from '../src/domain/events.js';
import type { CheckChart, ChartProvider } from '../src/monitor/chart.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { SimulatedDeployer } from '../src/pipeline/simulated-deployer.js';
import { buildServer } from '../src/server/app.js';
import { createStore } from '../src/store/create.js';
import { buildPayload, serverConfig, TEST_STAGES } from './api-harness.js';

/**
 * A UI fixture for when the demo is not available: real server, real runner, real SQLite store,
 * a fast virtual clock, builds arriving over time, and one stored event whose chart is synthetic.
 * (The end-to-end test prefers the real demo, where charts come from the monitor.)
 */
export async function startUiFixture(opts: { speed?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const start = Date.parse('2024-05-01T10:00:00Z');
  const clock = new ScaledClock(start, opts.speed ?? 30);
  const store = await createStore('sqlite::memory:');
  const runner = new PipelineRunner({ store, deployer: new SimulatedDeployer({ clock, stepSeconds: 15 }), clock, stages: TEST_STAGES, retry: { retries: 1, backoffSeconds: 5 } });
  await runner.start();
  const ts = Array.from({ length: 120 }, (_, i) => start - 3600_000 + i * 30_000);
  const chart: CheckChart = {
    check: 'http_error_rate',
    series: [
      { labels: { tier: 'canary', az: 'az1' }, inScope: true, timestamps: ts, values: ts.map((_, i) => 1 + Math.sin(i / 6) * 0.2 + (i > 100 ? 3 : 0)) },
      { labels: { tier: 'production', az: 'az1' }, inScope: false, timestamps: ts, values: ts.map((_, i) => 1 + Math.cos(i / 7) * 0.2) },
    ],
    baseline: { timestamps: ts, mean: ts.map(() => 1), lower: ts.map(() => 0.4), upper: ts.map(() => 1.6) },
    staticThreshold: 3,
    dynamicThreshold: 2.5,
    deployAt: ts[95],
    breachAt: ts[102],
  };
  const charts: ChartProvider = { chartsForEvent: async () => [chart] };
  const app = buildServer({ config: serverConfig(), store, pipeline: runner, clock, charts, heartbeatMs: 1000 });
  const post = (id: string) => runner.submitBuild({ ...(buildPayload(id) as unknown as Omit<Build, 'receivedAt'>), receivedAt: new Date(clock.now()).toISOString() });
  await post('b1001');
  const event: DeployEvent = {
    id: 'ev-b1001-canary',
    buildId: 'b1001',
    stage: 'canary',
    environment: 'commercial',
    status: 'open',
    severity: 'red',
    confidence: 'high',
    openedAt: ts[102],
    updatedAt: ts[102],
    signals: [],
    summary: 'http_error_rate up 3σ in canary only',
    action: 'offer_rollback',
  };
  await store.upsertEvent(event);
  let n = 1002;
  const timer = setInterval(() => void post(`b${n++}`), 2500);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      clearInterval(timer);
      await app.close();
      await runner.close();
      await store.close();
    },
  };
}

// `tsx test/ui-fixture.ts` serves the fixture for looking at the UI by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const f = await startUiFixture();
  console.log(`releasebot UI: ${f.url}`);
}
