import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ManualClock } from '../clock/clock.js';
import { checkSchema } from '../config/schema.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { SimulatedSource } from '../metrics/simulated.js';
import { WindowCache } from '../metrics/window-cache.js';
import type { MetricsSource, Sample } from '../metrics/source.js';
import { FetchModePlanner, MODE_RECHECK_MS } from './fetch-mode.js';
import { fetchChecksForTick, type TickFetchContext } from './tick-fetch.js';
import { registerMonitorMetrics } from './monitor-metrics.js';
import type { CheckFetch, FetchMode } from './fetch.js';

const NOW = Date.UTC(2024, 2, 5, 9, 0, 7);
const zscore = checkSchema.parse({ name: 'errors', query: 'http_errors_rate', detector: { type: 'zscore' } });
const robust = checkSchema.parse({ name: 'latency', query: 'http_latency_p95_ms' });

/** Answers `count(...)` with a fixed number; counts the questions. */
function counter(series: number): Pick<MetricsSource, 'query'> & { asked: number } {
  return {
    asked: 0,
    async query(q: string): Promise<Sample[]> {
      this.asked++;
      assert.match(q, /^count\(/);
      return [{ labels: {}, timestamp: 0, value: series }];
    },
  };
}

test('auto mode pushes down from the configured series count, only for detectors that allow it, and re-asks hourly', async () => {
  const many = counter(25_000);
  const planner = new FetchModePlanner({ mode: 'auto', pushdownAtSeries: 20_000 }, many);
  assert.equal(await planner.modeFor(zscore, NOW), 'pushdown');
  assert.equal(await planner.modeFor(robust, NOW), 'raw', 'the default detector needs its raw baseline');
  assert.equal(await planner.modeFor(zscore, NOW + 60_000), 'pushdown');
  assert.equal(many.asked, 1, 'the count is cached');
  await planner.modeFor(zscore, NOW + MODE_RECHECK_MS);
  assert.equal(many.asked, 2);
  assert.equal(await new FetchModePlanner({ mode: 'auto', pushdownAtSeries: 20_000 }, counter(10)).modeFor(zscore, NOW), 'raw');
  assert.equal(await new FetchModePlanner({ mode: 'pushdown', pushdownAtSeries: 20_000 }, counter(10)).modeFor(robust, NOW), 'raw');
  const down = new FetchModePlanner({ mode: 'auto', pushdownAtSeries: 1 }, { query: async () => Promise.reject(new Error('down')) });
  assert.equal(await down.modeFor(zscore, NOW), 'raw', 'a backend that cannot count: raw');
});

function context(clock: ManualClock, source: MetricsSource, mode: 'auto' | FetchMode = 'raw'): TickFetchContext {
  const cache = new WindowCache({ source, stepMs: 15_000 });
  return { fetcher: cache, cache, planner: new FetchModePlanner({ mode, pushdownAtSeries: 1 }, source), source, clock, modes: new Map(), warming: new Map(), ready: new Set() };
}

test('a check whose first fill outlasts the tick is reported warming up (no data) while the ready ones are judged', async () => {
  const clock = new ManualClock(NOW);
  const source = new SimulatedSource({ fleet: new SimulatedFleet({ seed: 4, clock }), clock });
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const slow: MetricsSource = {
    ...source,
    query: source.query.bind(source),
    isOnline: source.isOnline.bind(source),
    async queryRange(q, a, b, s) {
      if (q.startsWith('http_latency')) await gate;
      return source.queryRange(q, a, b, s);
    },
  };
  const ctx = context(clock, slow);
  const tick = fetchChecksForTick(ctx, [zscore, robust], clock.now(), { stepMs: 15_000, waitMs: 30_000 });
  await new Promise((r) => setTimeout(r, 20));
  await clock.advance(30_000);
  const first = await tick;
  assert.ok(first.get('errors')!.ok, 'the ready check is judged');
  const warming = first.get('latency')! as Extract<CheckFetch, { ok: false }>;
  assert.equal(warming.ok, false);
  assert.equal(warming.error.code, 'NO_DATA');
  assert.match(warming.error.message, /warming up/);
  const again = await fetchChecksForTick(ctx, [robust], clock.now(), { stepMs: 15_000, waitMs: 30_000 });
  assert.equal(again.get('latency')!.ok, false, 'still filling: not started twice');
  release();
  await new Promise((r) => setTimeout(r, 50));
  const done = await fetchChecksForTick(ctx, [robust], clock.now(), { stepMs: 15_000, waitMs: 30_000 });
  assert.ok(done.get('latency')!.ok, 'filled: judged from the next tick on');
});

test('a z-score check is judged from pushed-down baselines while its raw window fills, then from the cache', async () => {
  const clock = new ManualClock(NOW);
  const sim = new SimulatedSource({ fleet: new SimulatedFleet({ seed: 4, clock }), clock });
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const backend: MetricsSource = {
    isOnline: sim.isOnline.bind(sim),
    async queryRange(q, a, b, s) {
      // The long fill waits; the judged window alone (5 min) does not.
      if (b - a > 10 * 60_000) await gate;
      return sim.queryRange(q, a, b, s);
    },
    async query(q, at) {
      // Stands in for the server's *_over_time: the same value for every series of the check.
      const stat = q.startsWith('avg_over_time') ? 0.5 : q.startsWith('stddev_over_time') ? 0.1 : q.startsWith('count_over_time') ? 720 : undefined;
      if (stat === undefined) return sim.query(q, at);
      return (await sim.queryRange('http_errors_rate', at, at, 15_000)).map((s) => ({ labels: s.labels, timestamp: at, value: stat }));
    },
  };
  const ctx = context(clock, backend);
  const first = (await fetchChecksForTick(ctx, [zscore], clock.now(), { stepMs: 15_000, waitMs: 30_000 })).get('errors')!;
  assert.ok(first.ok && first.data.baselines, 'judged from pushed-down baselines');
  assert.ok(first.data.current.length > 0 && first.data.current.every((s) => s.timestamps.length <= 21), 'only the judged window raw');
  assert.equal(ctx.ready.has('errors'), false);
  release();
  await ctx.warming.get('errors');
  await clock.advance(30_000);
  const later = (await fetchChecksForTick(ctx, [zscore], clock.now(), { stepMs: 15_000, waitMs: 30_000 })).get('errors')!;
  assert.ok(later.ok && !later.data.baselines && later.data.localBaselines, 'raw, from the cache');
  const s0 = later.data.current[0];
  assert.ok(s0.timestamps.length > 700, 'the raw 3 h window from the cache');
  assert.ok(later.data.localBaselines.get(s0.labels)!.count > 700, 'with the 3 h baseline kept by the cache');
  assert.ok([...ctx.cache!.held().values()][0].samples > 700 * later.data.current.length, 'the cache holds the 3 h window');
});

test('/metrics shows series, samples and bytes held and the fetch mode per check, and bytes fetched', async () => {
  const registry = new Registry();
  let bytes = 100;
  registerMonitorMetrics(registry, {
    figures: () => [{ check: 'errors', mode: 'raw', series: 12, samples: 12 * 741, bytes: 12 * 942 * 8 }],
    bytesFetched: () => bytes,
  });
  bytes = 250;
  const text = await registry.metrics();
  assert.match(text, /releasebot_monitor_series\{check="errors"\} 12/);
  assert.match(text, /releasebot_monitor_samples_held\{check="errors"\} 8892/);
  assert.match(text, /releasebot_monitor_cache_bytes\{check="errors"\} 90432/);
  assert.match(text, /releasebot_monitor_fetch_mode\{check="errors",mode="raw"\} 1/);
  assert.match(text, /releasebot_metrics_fetched_bytes_total 250/);
});

test('a first fill that finishes within the tick leaves no timer behind (a CLI run exits when its work is done)', async () => {
  const clock = new ManualClock(NOW);
  const source = new SimulatedSource({ fleet: new SimulatedFleet({ seed: 4, clock }), clock });
  const signals: Array<AbortSignal | undefined> = [];
  const sleep = clock.sleep.bind(clock);
  clock.sleep = (ms: number, signal?: AbortSignal) => (signals.push(signal), sleep(ms, signal));
  const ctx = context(clock, source);
  const f = (await fetchChecksForTick(ctx, [robust], NOW, { stepMs: 15_000, waitMs: 30_000 })).get('latency')!;
  assert.equal(f.ok, true);
  assert.ok(signals.length > 0, 'the fill was raced against the tick');
  assert.ok(signals.every((s) => s?.aborted === true), 'the wait for the fill was cancelled once it finished');
});
