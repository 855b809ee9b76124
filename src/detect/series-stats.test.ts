import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexRange, rangeStats, upperBound, upperBoundNear } from './series-stats.js';
import { evaluateCheck } from './evaluate-check.js';

const T0 = Date.UTC(2026, 10, 29, 10); // epoch milliseconds, where 1e-9 is below the float spacing
const S = 15_000;

test('indexRange is (from, to] at epoch-millisecond magnitudes', () => {
  const timestamps = [T0, T0 + S, T0 + 2 * S, T0 + 3 * S];
  const s = { timestamps, values: [1, 2, 3, 4] };
  assert.deepEqual(indexRange(s, T0, T0 + 2 * S), [1, 3], 'the sample at `from` is out, the one at `to` is in');
  assert.equal(rangeStats(s, T0, T0 + 3 * S).mean, 3);
});

test('evaluateCheck judges the sample at `now` and keeps the one at now-window in the baseline', () => {
  // 40 quiet samples, the last one at `now` far out: the seed z-score rule must see it.
  const timestamps = Array.from({ length: 41 }, (_, i) => T0 + i * S);
  const values = timestamps.map((_, i) => (i === 40 ? 1000 : 100 + (i % 3)));
  const now = timestamps[40];
  const r = evaluateCheck({ samples: { timestamps, values }, now, direction: 'up', detector: { type: 'zscore', baseline: 600, window: 15, threshold: 3 }, dynamic: 'off', dynamicWindowSeconds: 21_600 });
  assert.equal(r.anomaly.kind, 'breach', r.anomaly.reason);
  assert.equal(r.anomaly.value, 1000);
});

test('property: upperBoundNear equals upperBound whatever the guess (ascending times, repeats included)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), fc.integer({ min: -2, max: 45 }), fc.integer({ min: -3, max: 33 }), (xs, t, guess) => {
      const ts = [...xs].sort((a, b) => a - b);
      assert.equal(upperBoundNear(ts, t, guess), upperBound(ts, t));
      assert.equal(upperBoundNear(Float64Array.from(ts), t + 0.5, guess), upperBound(ts, t + 0.5));
    }),
    { numRuns: 2000 },
  );
});
