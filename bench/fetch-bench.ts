/**
 * Fetch scaling: what one monitor tick costs against a real Prometheus with thousands of
 * series, for three ways of getting a 3 h baseline plus a 5 min judged window:
 *   (a) naive:     a full 3 h 5 min range query every tick;
 *   (b) window:    WindowCache, full fill once, then only new samples (plus a 60 s overlap);
 *   (c) pushdown:  baseline mean and std computed by Prometheus (instant queries), plus the raw
 *                  5 min window; (c') the whole z-score rule pushed down in one instant query.
 * Run: npx tsx bench/fetch-bench.ts [shards]   (24 cells x shards series; default 100 -> 2,400)
 */
import { gzipSync } from 'node:zlib';
import { PrometheusSource } from '../src/metrics/prometheus.js';
import { renderPushdown } from '../src/metrics/pushdown.js';
import { WindowCache } from '../src/metrics/window-cache.js';
import type { MetricsSource } from '../src/metrics/source.js';
import { startPrometheus } from '../test/support/prometheus.js';

const STEP = 15_000;
const BASELINE = 3 * 3_600_000;
const WINDOW = 5 * 60_000;
const TICK = 30_000;
const TICKS = 8;
const QUERY = 'http_requests_rate';

interface TickFigures { samples: number; bytes: number; gzipBytes: number; ms: number; requests: number }

const shards = Number(process.argv[2] ?? 100);
const t0 = Date.now();
const server = await startPrometheus({
  days: (BASELINE + WINDOW + TICKS * TICK + 15 * 60_000) / 86_400_000,
  stepMs: STEP,
  shards,
  series: (fleet) => fleet.series().filter((s) => s.metric === 'http_requests_rate'),
});
if ('skip' in server) {
  console.error(`cannot run: ${server.skip}`);
  process.exit(1);
}
const running = server; // narrowed once, for use inside closures
const seriesCount = running.series.length * shards;
console.error(`Prometheus with ${seriesCount} series ready in ${Date.now() - t0} ms`);

// Counts response bytes at the HTTP boundary; gzip sizes are computed after the tick's timer stops.
let bodies: Buffer[] = [];
const countingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const buf = Buffer.from(await res.arrayBuffer());
  bodies.push(buf);
  return new Response(buf, { status: res.status, statusText: res.statusText, headers: { 'content-type': res.headers.get('content-type') ?? '' } });
};
const source: MetricsSource = new PrometheusSource({ url: server.url, timeoutMs: 120_000, retries: 0, fetch: countingFetch });

async function measure(tick: (now: number) => Promise<number>): Promise<TickFigures[]> {
  const out: TickFigures[] = [];
  for (let k = 0; k < TICKS; k++) {
    const now = running.endMs - (TICKS - 1 - k) * TICK;
    bodies = [];
    const start = performance.now();
    const samples = await tick(now);
    const ms = performance.now() - start;
    const bytes = bodies.reduce((a, b) => a + b.length, 0);
    const gzipBytes = bodies.reduce((a, b) => a + gzipSync(b).length, 0);
    out.push({ samples, bytes, gzipBytes, ms, requests: bodies.length });
  }
  return out;
}
const count = (xs: { values: ArrayLike<number> }[]) => xs.reduce((a, s) => a + s.values.length, 0);

const naive = await measure(async (now) => count(await source.queryRange(QUERY, now - BASELINE - WINDOW, now, STEP)));
const cache = new WindowCache({ source, stepMs: STEP });
// Samples fetched (not samples held): the cache returns the whole window every tick.
const windowed = await measure(async (now) => {
  const before = cache.stats.samplesFetched;
  const held = count(await cache.get({ query: QUERY, nowMs: now, windowMs: BASELINE + WINDOW }));
  if (held < seriesCount * 700) throw new Error(`window cache returned only ${held} samples`);
  return cache.stats.samplesFetched - before;
});
const vars = { query: QUERY, baselineMs: BASELINE, windowMs: WINDOW, stepMs: STEP };
const pushdown = await measure(async (now) => {
  const [mean, std, raw] = await Promise.all([
    source.query(renderPushdown('baselineMean', vars), now),
    source.query(renderPushdown('baselineStd', vars), now),
    source.queryRange(QUERY, now - WINDOW, now, STEP),
  ]);
  return mean.length + std.length + count(raw);
});
const zscore = await measure(async (now) => (await source.query(renderPushdown('zscoreMax', vars), now)).length);
await running.stop();

const summarize = (name: string, ticks: TickFigures[]) => {
  const steady = ticks.slice(1);
  const avg = (f: keyof TickFigures) => steady.reduce((a, t) => a + t[f], 0) / steady.length;
  return {
    approach: name,
    firstTick: { samples: ticks[0].samples, bytes: ticks[0].bytes, gzipBytes: ticks[0].gzipBytes, ms: Math.round(ticks[0].ms), requests: ticks[0].requests },
    steadyTick: { samples: Math.round(avg('samples')), bytes: Math.round(avg('bytes')), gzipBytes: Math.round(avg('gzipBytes')), ms: Math.round(avg('ms')), requests: avg('requests') },
  };
};
const result = {
  series: seriesCount,
  sampleIntervalS: STEP / 1000,
  baseline: '3h',
  window: '5m',
  ticks: TICKS,
  tickIntervalS: TICK / 1000,
  prometheus: '2.42 (Debian), loopback',
  approaches: [
    summarize('naive full range', naive),
    summarize('window cache', windowed),
    summarize('pushdown mean+std + raw 5m', pushdown),
    summarize('pushdown z-score only', zscore),
  ],
};
console.log(JSON.stringify(result, null, 2));
