import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodMean } from './period-mean.js';

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
}

test('periodMean: literal cases, gaps skipped, length limits the read', () => {
  assert.deepEqual(periodMean([], 0), { count: 0, mean: NaN });
  assert.deepEqual(periodMean([NaN, Infinity, -Infinity], 3), { count: 0, mean: NaN });
  assert.deepEqual(periodMean([1, 2, 3, 4, 5], 5), { count: 5, mean: 3 });
  assert.deepEqual(periodMean([1, NaN, 3, Infinity, 5], 5), { count: 3, mean: 3 });
  assert.deepEqual(periodMean([2, 4, 100], 2), { count: 2, mean: 3 }); // only the first `length`
  assert.deepEqual(periodMean(Float64Array.of(2, 4), 5), { count: 2, mean: 3 }); // never past the array
});

test('periodMean: the checked path gives the same bits as the unchecked one, close to an in-order mean', () => {
  const r = rng(3);
  for (let k = 0; k < 200; k++) {
    const n = 1 + Math.floor(r() * 800);
    const level = r() < 0.3 ? 1e9 : 100 * r();
    const values = Float64Array.from({ length: n }, () => level + 10 * r());
    const fast = periodMean(values, n);
    // A NaN after the last value forces the checked redo; the finite values keep their lanes.
    const withGap = Float64Array.from([...values, NaN]);
    assert.deepEqual(periodMean(withGap, n + 1), fast, `case ${k}`);
    let sum = 0;
    for (const v of values) sum += v;
    assert.ok(Math.abs(fast.mean - sum / n) <= 1e-12 * Math.abs(sum / n), `case ${k}: ${fast.mean} vs ${sum / n}`);
  }
});
