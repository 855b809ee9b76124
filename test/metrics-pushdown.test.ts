import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusSource } from '../src/metrics/prometheus.js';
import { renderPushdown } from '../src/metrics/pushdown.js';
import type { RunningMetricsServer } from './support/prometheus.js';
import { startPrometheus } from './support/prometheus.js';
import { startVictoria } from './support/victoria.js';

const MIN = 60_000;
const KEY = { metric: 'http_requests_rate', environment: 'commercial', tier: 'production', az: 'az1' } as const;
const QUERY = 'http_requests_rate{environment="commercial",tier="production",az="az1"}';

/** Mean and population std of the fleet's minute samples in [from, to] (both ends, or left-open). */
function localStats(server: RunningMetricsServer, from: number, to: number, leftOpen: boolean): { mean: number; std: number } {
  const xs: number[] = [];
  for (let t = leftOpen ? from + MIN : from; t <= to; t += MIN) xs.push(server.fleet.valueAt(KEY, t));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

for (const [name, start] of [['prometheus', startPrometheus], ['victoria-metrics', startVictoria]] as const) {
  describe(`pushdown templates on ${name}`, () => {
    let server: RunningMetricsServer | undefined;
    let skip: string | undefined;
    before(async () => {
      // End the history on the hour: the judged point (2 min before the end) then never falls inside the
      // fleet's daily 14:00-14:20 spike, which would make the sanity bound on z below depend on the time of day.
      const s = await start({ endMs: Math.floor(Date.now() / 3_600_000) * 3_600_000 });
      if ('skip' in s) skip = s.skip;
      else server = s;
    });
    after(async () => server?.stop());

    test('baseline mean/std and seasonal means equal the same arithmetic done locally', async (t: TestContext) => {
      if (skip) return t.skip(skip);
      const srv = server!;
      const src = new PrometheusSource({ url: srv.url, timeoutMs: 5000, retries: 0 });
      const vars = { query: QUERY, baselineMs: 3 * 60 * MIN, windowMs: 5 * MIN, stepMs: MIN, dynamicWindowMs: 6 * 60 * MIN };
      const at = srv.endMs - 2 * MIN;
      const close = (got: number, want: { mean: number; std: number }[], field: 'mean' | 'std', what: string) =>
        assert.ok(want.some((w) => Math.abs(got - w[field]) <= 1e-6 * Math.abs(w[field])), `${what}: ${got} vs ${want.map((w) => w[field]).join(' or ')}`);
      const base = [true, false].map((open) => localStats(srv, at - 5 * MIN - 3 * 60 * MIN, at - 5 * MIN, open));
      const [mean] = await src.query(renderPushdown('baselineMean', vars), at);
      const [std] = await src.query(renderPushdown('baselineStd', vars), at);
      close(mean.value, base, 'mean', 'baseline mean');
      close(std.value, base, 'std', 'baseline std');
      assert.equal(mean.labels.tier, 'production');
      for (const [tmpl, ago] of [['seasonalMeanDayAgo', 86_400_000], ['seasonalMeanWeekAgo', 7 * 86_400_000]] as const) {
        const [s] = await src.query(renderPushdown(tmpl, vars), at);
        const want = [true, false].map((open) => localStats(srv, at - ago - 6 * 60 * MIN, at - ago, open));
        close(s.value, want, 'mean', tmpl);
      }
      const [z] = await src.query(renderPushdown('zscoreMax', vars), at);
      assert.ok(Number.isFinite(z.value) && Math.abs(z.value) < 10, `z ${z.value}`);
    });
  });
}
