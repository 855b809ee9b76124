import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkSchema } from '../config/schema.js';
import type { Series } from '../metrics/source.js';
import { judgeSeries } from './judge.js';
import { mulberry32 } from '../sim/noise.js';

const S = 15_000;
const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 10, 20) + 1000;
const DEPLOY = NOW - 2 * MIN;
const check = checkSchema.parse({ name: 'latency', query: 'q', direction: 'up' });

/** 3 h 10 min of a noisy level on the 15 s grid ending at `end`, plus f(t) on top. */
function series(end: number, seed: number, f: (t: number) => number): Series {
  const rnd = mulberry32(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = end - 190 * MIN; t <= end; t += S) (timestamps.push(t), values.push(100 * (1 + 0.05 * (rnd() - 0.5)) + f(t)));
  return { labels: {}, timestamps, values };
}

test('seasonal repeat compares like with like: yesterday masked before the deploy time as today is', () => {
  // Today the deploy doubles latency; yesterday a short spike came 4 minutes before the same time of
  // day, inside the judged window but before what corresponds to the deploy, so it is masked today.
  const today = series(NOW, 1, (t) => (t > DEPLOY ? 300 : 0));
  const dayAgo = series(NOW - DAY, 2, (t) => (t > NOW - DAY - 4 * MIN && t <= NOW - DAY - 3 * MIN ? 400 : 0));
  const j = judgeSeries(check, today, NOW, { dayAgo }, { judgeFrom: DEPLOY, seasonalReplay: true });
  assert.equal(j.anomaly.kind, 'breach', j.anomaly.reason);
  assert.equal(j.seasonalRepeat, false, 'a spike yesterday before the deploy time is not the same pattern');
});

test('seasonal repeat: the same rise at the same time yesterday, after the deploy time, is the season', () => {
  const today = series(NOW, 1, (t) => (t > DEPLOY ? 300 : 0));
  const dayAgo = series(NOW - DAY, 2, (t) => (t > DEPLOY - DAY ? 300 : 0));
  const j = judgeSeries(check, today, NOW, { dayAgo }, { judgeFrom: DEPLOY, seasonalReplay: true });
  assert.equal(j.anomaly.kind, 'breach', j.anomaly.reason);
  assert.equal(j.seasonalRepeat, true);
});

/** Today's series with `rise` after the deploy, and the same span of the day `days` earlier with `past` (0: plain noise). */
function day(days: number, seed: number, rise: number): Series {
  return series(NOW - days * DAY, seed, (t) => (t > DEPLOY - days * DAY ? rise : 0));
}

test('seasonal repeat: when both past periods are there, both must show it (one bad hour yesterday excuses nothing)', () => {
  const j = judgeSeries(check, day(0, 1, 300), NOW, { dayAgo: day(1, 2, 300), weekAgo: day(7, 3, 0) }, { judgeFrom: DEPLOY, seasonalReplay: true });
  assert.equal(j.anomaly.kind, 'breach', j.anomaly.reason);
  assert.equal(j.seasonalRepeat, false, 'the week-ago window was quiet: yesterday was a one-off');
});

test('seasonal repeat: a small unusual rise yesterday does not excuse a breach several times its size', () => {
  // Yesterday +8 (about 7 sigmas), today +60 (about 41): only the day-ago window is there.
  const j = judgeSeries(check, day(0, 1, 60), NOW, { dayAgo: day(1, 2, 8) }, { judgeFrom: DEPLOY, seasonalReplay: true });
  assert.equal(j.anomaly.kind, 'breach', j.anomaly.reason);
  assert.ok(Math.abs(j.anomaly.z ?? 0) > 30, j.anomaly.reason);
  assert.equal(j.seasonalRepeat, false);
});

test('seasonal repeat: a rise of about the same size 1 d and 7 d ago is the season', () => {
  const j = judgeSeries(check, day(0, 1, 60), NOW, { dayAgo: day(1, 2, 45), weekAgo: day(7, 3, 70) }, { judgeFrom: DEPLOY, seasonalReplay: true });
  assert.equal(j.anomaly.kind, 'breach', j.anomaly.reason);
  assert.equal(j.seasonalRepeat, true);
});

test('seasonal repeat: a dip yesterday does not excuse a rise today (direction both)', () => {
  const both = checkSchema.parse({ name: 'latency', query: 'q', direction: 'both' });
  const j = judgeSeries(both, day(0, 1, 60), NOW, { dayAgo: day(1, 2, -60) }, { judgeFrom: DEPLOY, seasonalReplay: true });
  assert.equal(j.anomaly.kind, 'breach', j.anomaly.reason);
  assert.equal(j.seasonalRepeat, false);
});

test('recentSamples counts the finite samples with now - window < t <= now, at epoch magnitudes too', () => {
  const zscore = checkSchema.parse({ name: 'c', query: 'q', detector: { type: 'zscore', window: 60, baseline: 300 } });
  fc.assert(
    fc.property(
      fc.constantFrom(0, 1_767_614_400_000),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.oneof(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), fc.constant(NaN), fc.constant(Infinity))), { maxLength: 60 }),
      fc.integer({ min: 0, max: 40 }),
      (base, points, nowSlot) => {
        const ts = [...new Set(points.map(([k]) => base + k * 15_000))].sort((a, b) => a - b);
        const vs = ts.map((_, i) => points[i % Math.max(1, points.length)]?.[1] ?? 1);
        const now = base + nowSlot * 15_000;
        let want = 0;
        for (let i = 0; i < ts.length; i++) if (ts[i] > now - 60_000 && ts[i] <= now && Number.isFinite(vs[i])) want++;
        assert.equal(judgeSeries(zscore, { labels: {}, timestamps: ts, values: vs }, now, undefined).recentSamples, want);
      },
    ),
  );
});
