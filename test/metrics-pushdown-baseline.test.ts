import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusSource } from '../src/metrics/prometheus.js';
import { baselineKey, fetchBaselines } from '../src/metrics/pushdown-baseline.js';
import { WindowCache } from '../src/metrics/window-cache.js';
import { checkSchema } from '../src/config/schema.js';
import { fetchCheck, baselineOf, directFetcher } from '../src/monitor/fetch.js';
import { judgeSeries } from '../src/monitor/judge.js';
import type { Series } from '../src/metrics/source.js';
import type { Verdict } from '../src/detect/verdict.js';
import type { RunningMetricsServer } from './support/prometheus.js';
import { startPrometheus } from './support/prometheus.js';
import { startVictoria } from './support/victoria.js';

const MIN = 60_000;
const BASELINE = 3 * 60 * MIN;
const WINDOW = 5 * MIN;
const QUERY = 'http_errors_rate';

/** Count, mean and population std of the finite values with from < t <= to, written out plainly. */
function localStats(s: Series, from: number, to: number): { count: number; mean: number; std: number } {
  const xs: number[] = [];
  for (let i = 0; i < s.timestamps.length; i++) if (s.timestamps[i] > from && s.timestamps[i] <= to && Number.isFinite(s.values[i])) xs.push(s.values[i]);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { count: xs.length, mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

for (const [name, start] of [['prometheus', startPrometheus], ['victoria-metrics', startVictoria]] as const) {
  describe(`baseline push-down on ${name}`, () => {
    let server: RunningMetricsServer | undefined;
    let skip: string | undefined;
    before(async () => {
      const s = await start({ days: 1 });
      if ('skip' in s) skip = s.skip;
      else server = s;
    });
    after(async () => server?.stop());

    test('mean, std and count of every series equal the detector arithmetic on the raw samples', async (t: TestContext) => {
      if (skip) return t.skip(skip);
      const srv = server!;
      const src = new PrometheusSource({ url: srv.url, timeoutMs: 10_000, retries: 0 });
      const at = srv.endMs - 7 * MIN;
      const pushed = await fetchBaselines(src, { query: QUERY, baselineMs: BASELINE, windowMs: WINDOW, stepMs: srv.stepMs, atMs: at });
      const raw = await src.queryRange(QUERY, at - WINDOW - BASELINE, at, srv.stepMs);
      assert.ok(raw.length >= 5, `series: ${raw.length}`);
      assert.equal(pushed.size, raw.length);
      for (const s of raw) {
        const want = localStats(s, at - WINDOW - BASELINE, at - WINDOW);
        const got = pushed.get(baselineKey(s.labels));
        assert.ok(got, `no baseline for ${JSON.stringify(s.labels)}`);
        assert.equal(got.count, want.count, 'count: the range is left-open like the detector');
        assert.ok(Math.abs(got.mean - want.mean) <= 1e-9 * Math.max(1, Math.abs(want.mean)), `mean ${got.mean} vs ${want.mean}`);
        assert.ok(Math.abs(got.std - want.std) <= 1e-7 * Math.max(1, Math.abs(want.std)), `std ${got.std} vs ${want.std}`);
      }
    });

    test('a z-score check judged in push-down mode gives the verdicts of raw mode', async (t: TestContext) => {
      if (skip) return t.skip(skip);
      const srv = server!;
      const src = new PrometheusSource({ url: srv.url, timeoutMs: 10_000, retries: 0 });
      const check = checkSchema.parse({ name: 'errors', query: QUERY, detector: { type: 'zscore', threshold: 1 } });
      // Off the step grid, as the monitor's clock is.
      const now = srv.endMs - 7 * MIN + 7_000;
      const raw = await fetchCheck(new WindowCache({ source: src, stepMs: srv.stepMs }), check, now, { stepMs: srv.stepMs });
      const down = await fetchCheck(new WindowCache({ source: src, stepMs: srv.stepMs }), check, now, { mode: 'pushdown', source: src, stepMs: srv.stepMs });
      if (!raw.ok || !down.ok) throw new Error('fetch failed');
      assert.ok(down.data.baselines && down.data.current[0].timestamps.length <= WINDOW / srv.stepMs + 1, 'only the judged window comes back raw');
      const kinds = new Map<string, number>();
      for (const s of raw.data.current) {
        const d: Series = down.data.current.find((x) => baselineKey(x.labels) === baselineKey(s.labels))!;
        const a: Verdict = judgeSeries(check, s, now, undefined, { baseline: baselineOf(raw.data, s.labels) }).anomaly;
        const b: Verdict = judgeSeries(check, d, now, undefined, { baseline: baselineOf(down.data, d.labels) }).anomaly;
        assert.equal(b.kind, a.kind, `${JSON.stringify(s.labels)}: ${a.reason} vs ${b.reason}`);
        if (a.z !== undefined) assert.ok(Math.abs(a.z - b.z!) <= 1e-6 * Math.max(1, Math.abs(a.z)), `z ${a.z} vs ${b.z}`);
        kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
      }
      assert.ok(kinds.size >= 1 && raw.data.current.length >= 5, `verdicts: ${JSON.stringify([...kinds])}`);
    });

    test('raw mode judged from baselines the window cache keeps equals judging the whole raw span, tick after tick', async (t: TestContext) => {
      if (skip) return t.skip(skip);
      const srv = server!;
      const src = new PrometheusSource({ url: srv.url, timeoutMs: 10_000, retries: 0 });
      // Thresholds low and high, so that both breaches and passes are compared.
      const checks = [1, 3, 8].map((threshold) => checkSchema.parse({ name: 'errors', query: QUERY, detector: { type: 'zscore', threshold } }));
      // On the step grid (a monitor ticking from a round time) and off it.
      for (const phase of [0, 7_000]) {
        const cache = new WindowCache({ source: src, stepMs: srv.stepMs });
        const kinds = new Map<string, number>();
        for (let k = 0; k < 6; k++) {
          const now = srv.endMs - 10 * MIN + phase + k * 30_000;
          const kept = await fetchCheck(cache, checks[0], now, { stepMs: srv.stepMs });
          const full = await fetchCheck(directFetcher(src, srv.stepMs), checks[0], now, { stepMs: srv.stepMs });
          if (!kept.ok || !full.ok) throw new Error('fetch failed');
          assert.ok(kept.data.localBaselines, 'baselines kept by the cache');
          assert.equal(kept.data.current.length, full.data.current.length);
          for (const s of full.data.current) {
            const d: Series = kept.data.current.find((x) => baselineKey(x.labels) === baselineKey(s.labels))!;
            for (const check of checks) {
              const a: Verdict = judgeSeries(check, s, now, undefined).anomaly;
              const b: Verdict = judgeSeries(check, d, now, undefined, { baseline: baselineOf(kept.data, d.labels) }).anomaly;
              assert.equal(b.kind, a.kind, `${JSON.stringify(s.labels)} at ${now}: ${a.reason} vs ${b.reason}`);
              if (a.z !== undefined) assert.ok(Math.abs(a.z - b.z!) <= 1e-9 * Math.max(1, Math.abs(a.z)), `z ${a.z} vs ${b.z}`);
              kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1);
            }
          }
        }
        assert.equal(cache.stats.fullFetches, 1, 'one fill, then incremental fetches');
        assert.ok(kinds.size >= 2, `verdicts of more than one kind: ${JSON.stringify([...kinds])}`);
      }
    });
  });
}
