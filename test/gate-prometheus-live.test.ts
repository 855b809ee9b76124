import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../src/clock/clock.js';
import { configSchema } from '../src/config/schema.js';
import { stageDefs } from '../src/config/stage-defs.js';
import type { Decision } from '../src/domain/pipeline.js';
import { PrometheusSource } from '../src/metrics/prometheus.js';
import { Monitor } from '../src/monitor/monitor.js';
import type { DeployRequest } from '../src/pipeline/deployer.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { createStore } from '../src/store/create.js';
import type { Store } from '../src/store/store.js';
import { LiveExporter } from './support/live-exporter.js';
import { startLivePrometheus, type LivePrometheus } from './support/live-prometheus.js';

/**
 * The promotion gate against a real Prometheus scraping a live exporter every second: short bakes,
 * real time. Each case runs its own bot (runner + monitor) against the shared exporter and server.
 */

const CELLS = ['canary', 'production'].flatMap((tier) => ['az1', 'az2'].map((az) => ({ environment: 'commercial', tier, az })));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(canaryBake: number) {
  return configSchema.parse({
    pipeline: {
      tick: 0.25,
      stages: [
        { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2'], percent: 100, bake: canaryBake },
        { name: 'prod', environment: 'commercial', tier: 'production', azs: ['az1', 'az2'], percent: 100, bake: 2 },
      ],
    },
    monitor: { tick: 0.5 },
    // Counters through rate()/increase(): a restart's reset to 0 must not read as a drop or a spike.
    checks: [
      { name: 'request_rate', query: 'sum by (environment, tier, az) (rate(app_requests_total[4s]))', direction: 'down', static: 5, detector: { type: 'zscore', baseline: 60, window: 10 } },
      { name: 'errors', query: 'sum by (environment, tier, az) (increase(app_errors_total[4s]))', direction: 'up', static: 5, detector: { type: 'zscore', baseline: 60, window: 10 } },
    ],
    policy: { noDataHold: 60 },
  });
}

interface Bot {
  logs: string[];
  store: Store;
  runner: PipelineRunner;
  decisions(kind?: string): Promise<Decision[]>;
  close(): Promise<void>;
}

async function bot(prom: LivePrometheus, exporter: LiveExporter, canaryBake: number, onDeploy: (req: DeployRequest) => void = () => {}): Promise<Bot> {
  const cfg = config(canaryBake);
  const clock = new SystemClock();
  const store = await createStore('sqlite::memory:');
  const logs: string[] = [];
  const log = (line: string) => logs.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  const deployer = {
    async deploy(req: DeployRequest) {
      exporter.deploy(req.tier);
      onDeploy(req);
    },
  };
  const runner = new PipelineRunner({ store, deployer, clock, stages: stageDefs(cfg), retry: { retries: 0, backoffSeconds: 1 }, tickMs: 250, gate: true, log });
  const source = new PrometheusSource({ url: prom.url, timeoutMs: 400, retries: 0 });
  const monitor = new Monitor({ config: cfg, source, clock, store, pipeline: runner, notify: () => {}, stepMs: 1000, log });
  const abort = new AbortController();
  await runner.start();
  const loop = monitor.run(abort.signal);
  return {
    logs,
    store,
    runner,
    decisions: async (kind) => (await store.listDecisions()).filter((d) => kind === undefined || d.kind === kind),
    async close() {
      abort.abort();
      await runner.close();
      await loop;
      await store.close();
    },
  };
}

async function waitUntil(what: string, ok: () => Promise<boolean> | boolean, ms: number, logs?: string[]): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${logs ? `; log:\n${logs.slice(-40).join('\n')}` : ''}`);
    await sleep(100);
  }
}

const submit = (b: Bot, id: string) => b.runner.submitBuild({ id, sha: id.padEnd(40, '0'), createdAt: new Date().toISOString(), receivedAt: new Date().toISOString(), pullRequests: [] });
const leftCanary = async (b: Bot, id: string) => (await b.decisions('promote')).some((d) => d.buildId === id && d.stage === 'prod');

describe('promotion gate against a real Prometheus scraping a live exporter', () => {
  let prom: LivePrometheus | { skip: string };
  let exporter: LiveExporter;
  before(async () => {
    exporter = await LiveExporter.start(CELLS);
    prom = await startLivePrometheus([exporter.url]);
    // A few scrapes of every cell before the first deploy.
    await sleep(5000);
  });
  after(async () => {
    if ('url' in prom) await prom.dispose();
    await exporter?.stop();
  });

  it('a healthy build is promoted and completes; counters reset at each deploy raise no event', async (t) => {
    if ('skip' in prom) return t.skip(prom.skip);
    const b = await bot(prom, exporter, 4);
    try {
      const resetsBefore = exporter.resets.get('canary') ?? 0;
      await submit(b, 'good');
      await waitUntil('completion', () => b.runner.snapshot().builds.good?.status === 'completed', 25_000);
      assert.equal(exporter.resets.get('canary'), resetsBefore + 1, 'the canary processes restarted (counters back to 0)');
      assert.deepEqual(await b.store.listEvents({}), [], 'no event: the counter resets are not a drop or a spike');
      const passes = (await b.store.listGateRecords({ buildId: 'good' })).filter((g) => g.verdict === 'pass');
      assert.deepEqual(passes.map((g) => g.stage).sort(), ['canary', 'prod']);
      for (const g of passes) for (const c of g.checks) assert.ok(c.samplesSinceDeploy > 0 && c.freshSeries === 2, `${g.stage} ${c.check}: ${c.reason}`);
    } finally {
      await b.close();
    }
  });

  it('canary series that vanish mid-bake: no promotion, the series went dark', async (t) => {
    if ('skip' in prom) return t.skip(prom.skip);
    const b = await bot(prom, exporter, 6, (req) => {
      if (req.kind === 'deploy' && req.tier === 'canary') setTimeout(() => exporter.silence('canary'), 2000);
    });
    try {
      await submit(b, 'dark');
      await waitUntil('a dark signal', async () => (await b.store.listEvents({ buildId: 'dark' })).some((e) => e.signals.some((s) => s.verdict.rule === 'dark')), 20_000, b.logs);
      await sleep(6000); // well past the bake's end
      assert.equal(await leftCanary(b, 'dark'), false, 'never promoted out of canary');
      assert.equal((await b.store.listGateRecords({ buildId: 'dark' })).filter((g) => g.verdict === 'pass').length, 0);
    } finally {
      exporter.unsilence('canary');
      await b.close();
    }
  });

  it('Prometheus stopped just before the bake ends: no promotion while down, no rollback, promotion once fresh data returns', async (t) => {
    if ('skip' in prom) return t.skip(prom.skip);
    const p = prom;
    let deployedAt = 0;
    const b = await bot(p, exporter, 6, (req) => {
      if (req.kind === 'deploy' && req.tier === 'canary') deployedAt = Date.now();
    });
    try {
      await submit(b, 'outage');
      await waitUntil('the canary deploy', () => deployedAt > 0, 5000);
      await sleep(Math.max(0, deployedAt + 3500 - Date.now()));
      await p.stop();
      const downAt = Date.now();
      await sleep(8000); // the bake ended ~2.5 s after the stop
      assert.equal(await leftCanary(b, 'outage'), false, 'no promotion while Prometheus is down');
      await p.start();
      const upAt = Date.now();
      await waitUntil('promotion after the outage', () => leftCanary(b, 'outage'), 20_000);
      const promote = (await b.decisions('promote')).find((d) => d.buildId === 'outage' && d.stage === 'prod')!;
      assert.ok(promote.at >= upAt, 'promoted only once the backend answered again');
      assert.deepEqual(await b.decisions('rollback'), []);
      // The failing queries blocked the stage before its bake could end, saying why (no data, not health).
      const blocked = (await b.decisions('hold')).filter((d) => d.actor.id === 'monitor' && d.stage === 'canary' && d.at >= downAt);
      assert.ok(blocked.length > 0, `the monitor said it could not see; log:\n${b.logs.slice(-40).join('\n')}`);
      assert.match(blocked[0].reason, /BACKEND_DOWN|no data|did not answer/i);
      const gate = await b.store.getGateRecord(String(promote.evidence?.gateId));
      assert.ok(gate && gate.verdict === 'pass' && gate.evaluatedAt >= upAt);
    } finally {
      await b.close();
    }
  });
});
