/**
 * `npm run bench:thresholds [-- --moments 400 --days 9 --json]`: false breaches of the dynamic and
 * seasonal thresholds on a healthy, realistic fleet in a real Prometheus. The simulated fleet (96
 * series: daily cycle of +-35%, weekend dip, the daily 14:00 spike, Poisson noise at low volume) is
 * backfilled with promtool at 1-minute resolution; at evenly spread moments of the last day and a half
 * every series is judged by checks with `dynamic` or `seasonal` and no `static`, once without a margin
 * (the seed's rule) and once with the default margin, and by the anomaly rule of the default detector and
 * of the seed z-score detector. Nothing is deployed: every breach is false.
 */
import { startPrometheus } from '../test/support/prometheus.js';
import { healthyThresholdBreaches, spreadMoments } from '../test/support/healthy-breaches.js';
import { DEFAULT_MARGIN } from '../src/detect/threshold.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const moments = arg('moments', 400);
const days = arg('days', 9);
const t0 = Date.now();
const server = await startPrometheus({ days, endMs: Date.parse('2026-06-10T00:00:00Z'), series: (f) => f.series() });
if ('skip' in server) {
  console.error(`cannot run: ${server.skip}`);
  process.exit(1);
}
try {
  // The last 36 h: seven days of history before every moment, so the seasonal rule has both pasts.
  const at = spreadMoments(server.endMs - 36 * 3_600_000, server.endMs, moments, 7);
  const variants = { none: { relative: 0, sigmas: 0 }, relative: { relative: DEFAULT_MARGIN.relative, sigmas: 0 }, default: undefined };
  const r = await healthyThresholdBreaches(server.url, at, variants, ['default', 'zscore']);
  const pct = (x: number) => Number((100 * x).toFixed(2));
  const out = {
    series: server.series.length,
    moments,
    seriesMomentsPerRule: r.seriesMoments['default.dynamic'],
    defaultMargin: DEFAULT_MARGIN,
    // none: the seed's rule; relative: 50% of the level alone; default: 50% or 3 sigma, whichever is larger.
    breachPercent: Object.fromEntries(Object.entries(r.share).map(([k, v]) => [k, pct(v)])),
    breaches: r.breaches,
    wallSeconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
  };
  console.log(process.argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
} finally {
  await server.stop();
}
