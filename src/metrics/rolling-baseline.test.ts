import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WindowCache, labelKey } from './window-cache.js';
import type { MetricsSource, Series } from './source.js';
import { rangeStats } from '../detect/series-stats.js';
import { checkSchema } from '../config/schema.js';
import { judgeSeries } from '../monitor/judge.js';

const STEP = 15_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

/**
 * A deterministic backend: series k has a value at t unless t falls in one of its gaps or outside
 * its life; a sample shows up only once `now` is 20 s past it (scraped late).
 */
function fakeSource(seed: number, series: number): MetricsSource & { calls: number; now: number } {
  const hash = (k: number, t: number) => {
    let h = (seed * 2654435761) ^ (k * 40503) ^ Math.floor(t / STEP);
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
  };
  const src = {
    calls: 0,
    now: 0,
    async queryRange(_q: string, start: number, end: number, step: number): Promise<Series[]> {
      src.calls++;
      const out: Series[] = [];
      for (let k = 0; k < series; k++) {
        const born = T0 + k * 37 * STEP;
        const dies = k === 1 ? T0 + 6 * 3_600_000 : Infinity;
        const ts: number[] = [];
        const vs: number[] = [];
        for (let t = start; t <= end; t += step) {
          if (t < born || t > dies || t > src.now - 20_000) continue;
          const r = hash(k, t);
          if (r < 0.05) continue; // a missed scrape
          ts.push(t);
          // Large level plus small noise (cancellation), a NaN value now and then (a broken scrape).
          vs.push(r > 0.98 ? NaN : 1e6 * (k % 2) + 100 * Math.sin(t / 3.6e6 + k) + 10 * r);
        }
        if (ts.length > 0) out.push({ labels: { __name__: 'm', k: String(k) }, timestamps: ts, values: vs });
      }
      return out;
    },
    async query() {
      return [];
    },
    async isOnline() {
      return true;
    },
  };
  return src;
}

const close = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

test('rolling baselines equal the statistics of a full fetch, and so do the verdicts, over random tick sequences', async () => {
  const check = checkSchema.parse({ name: 'c', query: 'm', detector: { type: 'zscore', baseline: 1200, window: 300, minSamples: 10 } });
  const B = 1_200_000;
  const W = 300_000;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1000 }),
      // Ticks on the step grid (as a monitor ticking every 30 s from a round time is) or off it.
      fc.constantFrom(0, 7_000),
      // Mostly regular ticks, sometimes a long gap (refill) or a jump shorter than the window.
      fc.array(fc.oneof(fc.constantFrom(15_000, 30_000, 30_000, 45_000, 285_000, 290_000), fc.integer({ min: 1, max: 3_000_000 })), { minLength: 3, maxLength: 40 }),
      async (seed, phase, advances) => {
        const source = fakeSource(seed, 4);
        const cache = new WindowCache({ source, stepMs: STEP, fillChunkMs: 600_000 });
        let now = T0 + 2 * 3_600_000 + phase;
        for (const adv of advances) {
          now += adv;
          source.now = now;
          const judged = await cache.getJudged({ query: 'm', nowMs: now, baselineMs: B, windowMs: W });
          const end = Math.floor(now / STEP) * STEP;
          const full = new Map((await source.queryRange('m', end - B - W, end, STEP)).map((s) => [labelKey(s.labels), s]));
          for (const s of judged.series) {
            const ref = full.get(labelKey(s.labels));
            assert.ok(ref, `series ${labelKey(s.labels)} is in a full fetch`);
            const want = rangeStats(ref, now - W - B, now - W);
            const got = judged.baselines.get(s.labels)!;
            assert.equal(got.count, want.count, `count at ${now}`);
            assert.ok(close(got.mean, want.mean), `mean ${got.mean} vs ${want.mean}`);
            assert.ok(close(got.std, want.std), `std ${got.std} vs ${want.std}`);
            const a = judgeSeries(check, ref, now, undefined);
            const b = judgeSeries(check, s, now, undefined, { baseline: got });
            assert.equal(b.anomaly.kind, a.anomaly.kind, `verdict at ${now}: ${b.anomaly.reason} vs ${a.anomaly.reason}`);
          }
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('judged windows fetch only new samples after the first fill', async () => {
  const source = fakeSource(3, 3);
  const cache = new WindowCache({ source, stepMs: STEP, fillChunkMs: 3_600_000 });
  let now = T0 + 5 * 3_600_000;
  source.now = now;
  await cache.getJudged({ query: 'm', nowMs: now, baselineMs: 3 * 3_600_000, windowMs: 300_000 });
  const fills = cache.stats.fullFetches;
  for (let i = 0; i < 5; i++) {
    now += 30_000;
    source.now = now;
    const j = await cache.getJudged({ query: 'm', nowMs: now, baselineMs: 3 * 3_600_000, windowMs: 300_000 });
    assert.ok(j.series.every((s) => j.baselines.get(s.labels)!.count > 600));
  }
  assert.equal(cache.stats.fullFetches, fills);
  assert.equal(cache.stats.incrementalFetches, 5);
});
