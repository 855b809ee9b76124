import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateCheck } from './evaluate-check.js';
import { fusedPass } from './fused-pass.js';
import { statsOf } from './series-stats.js';
import { zscoreVerdict } from './zscore.js';
import { thresholdVerdict, trimmedMean } from './threshold.js';
import { resolveGuards } from './guards.js';
import type { CheckInput, Samples } from './check.js';

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
}

/** A 15 s series with random gaps (missing timestamps), NaN runs, an occasional Inf, level and noise. */
function series(r: () => number, n: number, asArray: boolean): Samples {
  const ts: number[] = [];
  const vs: number[] = [];
  let t = 1_700_000_000_000 - n * 15_000;
  const level = r() < 0.2 ? 1e9 : 100 * r();
  for (let i = 0; i < n; i++) {
    t += r() < 0.05 ? 15_000 * (2 + Math.floor(r() * 20)) : 15_000;
    ts.push(t);
    const u = r();
    vs.push(u < 0.04 ? NaN : u < 0.045 ? Infinity : level + 10 * r() + (r() < 0.01 ? 200 : 0));
  }
  if (r() < 0.1) vs.fill(NaN, 0, Math.floor(n / 2)); // a long outage at the start
  return asArray ? { timestamps: ts, values: vs } : { timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
}

test('fusedPass equals statsOf and plain in-order means on random data with NaN, Inf and gaps', () => {
  const r = rng(7);
  for (let k = 0; k < 300; k++) {
    const s = series(r, 1 + Math.floor(r() * 400), k % 2 === 0);
    const n = s.values.length;
    const end = Math.floor(r() * (n + 1));
    const b = { baseStart: Math.floor(r() * (end + 1)), dynStart: Math.floor(r() * (end + 1)), end, windowEnd: end + Math.floor(r() * (n - end + 1)) };
    const got = fusedPass(s.values, b);
    assert.deepEqual(got.baseline, statsOf(s.values, b.baseStart, end));
    assert.deepEqual(got.dynamic, naiveMean(s.values, b.dynStart, end));
    assert.deepEqual(got.window, naiveMean(s.values, end, b.windowEnd));
  }
});

test('fusedPass: the margin statistics and the trimmed window equal statsOf and trimmedMean (property: NaN, Inf, gaps)', () => {
  // Values: runs of a level with noise (gap-free stretches take the unchecked loops), NaN (gaps),
  // +-Infinity (broken scrapes), at small and large levels (the shift matters at 1e9).
  const value = fc.oneof(
    { weight: 12, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0) },
  );
  const gapFree = fc.double({ min: -10, max: 10, noNaN: true });
  const series = fc.record({
    level: fc.constantFrom(0, 1, 100, -50, 1e9),
    vs: fc.oneof(fc.array(value, { maxLength: 300 }), fc.array(gapFree, { maxLength: 300 })),
    asArray: fc.boolean(),
  });
  const cuts = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat());
  const direction = fc.constantFrom<'up' | 'down' | 'both' | undefined>('up', 'down', 'both', undefined);
  fc.assert(
    fc.property(series, cuts, fc.boolean(), direction, ({ level, vs, asArray }, [e, bs, ds, we], noise, trim) => {
      const raw = vs.map((v) => level + v);
      const values = asArray ? raw : Float64Array.from(raw);
      const n = raw.length;
      const end = e % (n + 1);
      // Baseline longer, dynamic longer, or both the same range (the margin then shares the baseline's sums).
      const baseStart = bs % (end + 1);
      const dynStart = ds % 3 === 0 ? baseStart : ds % (end + 1);
      const windowEnd = end + (we % (n - end + 1));
      const got = fusedPass(values, { baseStart, dynStart, end, windowEnd, noise, trim });
      assert.deepEqual(got.baseline, statsOf(values, baseStart, end));
      assert.deepEqual(got.dynamic, naiveMean(values, dynStart, end));
      assert.deepEqual(got.noise, noise ? statsOf(values, dynStart, end) : undefined);
      assert.deepEqual(got.window, naiveMean(values, end, windowEnd));
      assert.equal(got.trimmedMean, trim === undefined ? undefined : trimmedMean(values, end, windowEnd, trim));
    }),
    { numRuns: 2000 },
  );
});

test('evaluateCheck equals zscoreVerdict + thresholdVerdict computed separately', () => {
  const r = rng(11);
  const kinds = new Set<string>();
  for (let k = 0; k < 400; k++) {
    const s = series(r, 20 + Math.floor(r() * 900), k % 2 === 0);
    const now = (s.timestamps[s.timestamps.length - 1] as number) - Math.floor(r() * 3) * 15_000;
    const detector = { type: 'zscore' as const, baseline: 600 + Math.floor(r() * 10_000), window: 60 + Math.floor(r() * 600), threshold: 1 + 3 * r(), minSamples: 5 + Math.floor(r() * 30) };
    const modes = ['off', 'dynamic', 'seasonal'] as const;
    const input: CheckInput = {
      samples: s, now, detector, direction: (['up', 'down', 'both'] as const)[k % 3],
      dynamic: modes[Math.floor(r() * 3)], dynamicWindowSeconds: 600 + Math.floor(r() * 10_000),
      ...(r() < 0.7 ? { static: 100 * r() } : {}),
      ...(r() < 0.3 ? { margin: { relative: r(), sigmas: 4 * r() } } : {}),
      seasonal: {
        dayAgo: series(r, 50, true),
        ...(r() < 0.5 ? { weekAgo: series(r, 50, false) } : {}),
        ...(r() < 0.5 ? { dayAgoWindow: series(r, 20, true), weekAgoWindow: series(r, 20, false) } : {}),
      },
      // Baseline statistics pushed down (the z-score rule's): the threshold still reads the samples.
      ...(r() < 0.15 ? { baseline: { mean: 50, std: 5, count: 30 } } : {}),
    };
    const guards = resolveGuards(detector);
    const windowMs = detector.window * 1000;
    const expected = {
      anomaly: zscoreVerdict(s, now, { baselineMs: detector.baseline * 1000, windowMs, threshold: detector.threshold, direction: input.direction, guards }),
      threshold: input.static === undefined && input.dynamic === 'off' ? undefined : thresholdVerdict(s, now, {
        static: input.static, mode: input.dynamic, windowMs, dynamicWindowMs: input.dynamicWindowSeconds * 1000,
        direction: input.direction, minSamples: guards.minSamples, seasonal: input.seasonal, margin: input.margin,
      }),
    };
    const got = evaluateCheck(input);
    if (!input.baseline) assert.deepEqual(got.anomaly, expected.anomaly, `case ${k}`);
    assert.deepEqual(got.threshold, expected.threshold, `case ${k}`);
    kinds.add(`anomaly:${got.anomaly.kind}`).add(`threshold:${got.threshold?.kind}`);
  }
  // The random cases must reach every outcome, or the equality above proves little.
  for (const k of ['pass', 'breach', 'inconclusive']) for (const rule of ['anomaly', 'threshold']) assert.ok(kinds.has(`${rule}:${k}`), `${rule}:${k} never seen`);
});

/** The straightforward definition: in-order sum of the finite values. */
function naiveMean(values: ArrayLike<number>, a: number, b: number): { count: number; mean: number } {
  let n = 0;
  let sum = 0;
  for (let i = a; i < b; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      n++;
    }
  }
  return { count: n, mean: n > 0 ? sum / n : NaN };
}
