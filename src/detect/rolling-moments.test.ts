import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RollingMoments } from './rolling-moments.js';

// Magnitudes below 1e-100 are left out: their squares underflow, which no metric reaches.
const value = fc.oneof(fc.constant(0), fc.constant(1 / 60), fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => (Math.abs(x) < 1e-100 ? 0 : x)));

test('property: the running mean and deviation match a two-pass computation over the last `capacity` values', () => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (xs, cap) => {
      const m = new RollingMoments(cap);
      for (const x of xs) m.push(x);
      const w = xs.slice(-cap);
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
      const scale = Math.max(1, ...xs.map(Math.abs));
      assert.ok(Math.abs(m.mean() - mean) <= 1e-9 * scale, `mean ${m.mean()} vs ${mean}`);
      assert.ok(Math.abs(m.std() - std) <= 1e-6 * scale, `std ${m.std()} vs ${std}`);
    }),
    { numRuns: 300 },
  );
});

test('property: a window that holds one constant has exactly that mean and zero deviation, whatever left it', () => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 100 }), fc.constantFrom(0, 1 / 60, 1e9 + 0.1), fc.integer({ min: 1, max: 40 }), (before, c, cap) => {
      const m = new RollingMoments(cap);
      for (const x of before) m.push(x);
      for (let i = 0; i < cap; i++) m.push(c);
      assert.equal(m.mean(), c);
      assert.equal(m.std(), 0);
    }),
    { numRuns: 300 },
  );
});

test('a window of zeros after small bumps is exactly zero (a counterexample the property found)', () => {
  const m = new RollingMoments(2);
  for (const x of [0, 1 / 60, 6.96e-7, 0, 0]) m.push(x);
  assert.equal(m.mean(), 0);
  assert.equal(m.std(), 0);
});
