import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrometheus } from './support/prometheus.js';
import { healthyThresholdBreaches, spreadMoments } from './support/healthy-breaches.js';

/**
 * The default margin on realistic data: 8 days of a healthy fleet (daily cycle, weekend dip, the
 * daily spike, Poisson noise) backfilled into a real Prometheus; dynamic and seasonal checks
 * without `static` judged at spread moments of the last 36 h. `npm run bench:thresholds` runs the
 * same with every series and more moments.
 */
test('dynamic and seasonal thresholds: healthy series breach < 1% with the default margin (real Prometheus)', { timeout: 300_000 }, async (t) => {
  const server = await startPrometheus({ days: 8, endMs: Date.parse('2026-06-10T00:00:00Z') });
  if ('skip' in server) {
    t.skip(server.skip);
    return;
  }
  try {
    const moments = spreadMoments(server.endMs - 36 * 3_600_000, server.endMs, 60, 3);
    const r = await healthyThresholdBreaches(server.url, moments, { none: { relative: 0, sigmas: 0 }, default: undefined });
    for (const rule of ['dynamic', 'seasonal']) {
      const n = r.seriesMoments[`default.${rule}`];
      assert.ok(n >= 500, `${rule}: enough judged series-moments (${n})`);
      const share = r.share[`default.${rule}`] ?? 0;
      assert.ok(share < 0.01, `${rule}: ${(100 * share).toFixed(2)}% breached with the default margin`);
      // The seed's rule (no margin) breaches on a large share: the measurement can tell them apart.
      assert.ok(r.share[`none.${rule}`] > 0.15, `${rule} without a margin: ${(100 * r.share[`none.${rule}`]).toFixed(2)}%`);
    }
  } finally {
    await server.stop();
  }
});
