import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MARGIN, thresholdVerdict, type ThresholdParams } from './threshold.js';

const S = 15_000;
const W = 5 * 60_000;
const H = 60 * 60_000;

/** A series on the 15 s grid ending at `now`: `f(t)` per point. */
function series(now: number, spanMs: number, f: (t: number) => number) {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = now - spanMs + S; t <= now; t += S) (timestamps.push(t), values.push(f(t)));
  return { timestamps, values };
}

const NOW = 10 * 24 * H;
const base: ThresholdParams = { mode: 'dynamic', windowMs: W, dynamicWindowMs: 6 * H, direction: 'up', minSamples: 20 };

test('dynamic: the level is the 6 h average; it breaches only beyond the margin, and says the threshold in force', () => {
  // The judged window (NOW - W, NOW] holds only `x`.
  const level = (x: number) => series(NOW, 7 * H, (t) => (t > NOW - W ? x : 100));
  const quiet = thresholdVerdict(level(140), NOW, base);
  assert.equal(quiet.kind, 'pass', '40% above a flat level is within the default 50% margin');
  assert.equal(quiet.threshold, 150);
  assert.equal(quiet.mean, 100);
  assert.match(quiet.reason, /not above dynamic threshold 150.* = dynamic level 100.00 \+ margin 50.00 \(50%\)/);
  const hot = thresholdVerdict(level(160), NOW, base);
  assert.equal(hot.kind, 'breach');
  assert.equal(hot.threshold, 150);
  // Without a margin the seed rule breached at any value above the average.
  assert.equal(thresholdVerdict(level(101), NOW, { ...base, margin: { relative: 0, sigmas: 0 } }).kind, 'breach');
  assert.equal(thresholdVerdict(level(101), NOW, base).kind, 'pass');
});

test('dynamic: a noisy series gets a margin of `sigmas` standard deviations of its history', () => {
  // +-40 around 100: sigma 40, so 3 sigma = 120 > 50% of 100.
  const s = series(NOW, 7 * H, (t) => (t > NOW - W ? 200 : 100 + (Math.round(t / S) % 2 === 0 ? 40 : -40)));
  const v = thresholdVerdict(s, NOW, base);
  assert.equal(v.threshold, 220);
  assert.equal(v.std, 40);
  assert.equal(v.kind, 'pass');
  assert.match(v.reason, /margin 120.*\(3 sigma\)/);
});

test('static stays an absolute limit: threshold = max(static, level + margin); down mirrors it', () => {
  const s = series(NOW, 7 * H, (t) => (t > NOW - W ? 180 : 100));
  const hi = thresholdVerdict(s, NOW, { ...base, static: 200 });
  assert.equal(hi.threshold, 200);
  assert.equal(hi.kind, 'pass');
  assert.match(hi.reason, /static threshold 200/);
  assert.equal(thresholdVerdict(s, NOW, { ...base, static: 120 }).threshold, 150);
  const d = series(NOW, 7 * H, (t) => (t > NOW - W ? 40 : 100));
  const down = thresholdVerdict(d, NOW, { ...base, direction: 'down' });
  assert.equal(down.threshold, 50);
  assert.equal(down.kind, 'breach');
  const low = thresholdVerdict(d, NOW, { ...base, direction: 'down', static: 30 });
  assert.equal(low.threshold, 30);
  // The static limit lies below the level for `down`: the reason must not say "above".
  assert.match(low.reason, /not below static threshold 30\.00 \(below dynamic level 100\.00 - margin 50\.00/);
  assert.match(hi.reason, /static threshold 200\.00 \(above dynamic level/);
});

test('seasonal: a spike that stood out at the same time 1 d and 7 d ago widens the margin; a one-off a day ago does not', () => {
  const today = series(NOW, 7 * H, (t) => (t > NOW - W ? 230 : 100));
  const past = (offset: number, spike: number) => ({
    hist: series(NOW - offset - W, 6 * H, () => 100),
    win: series(NOW - offset, W, () => spike),
  });
  const d = past(24 * H, 210);
  const w = past(7 * 24 * H, 190);
  const p: ThresholdParams = { ...base, mode: 'seasonal', seasonal: { dayAgo: d.hist, weekAgo: w.hist, dayAgoWindow: d.win, weekAgoWindow: w.win } };
  const spike = thresholdVerdict(today, NOW, p);
  assert.equal(spike.kind, 'pass', 'the daily spike is the season');
  assert.equal(spike.threshold, 240, 'level 100 + margin 50 + the smaller of the two past excursions (90%)');
  assert.match(spike.reason, /\+ 90.00 as the same window 1 d \/ 7 d ago stood out/);
  // Only yesterday stood out (a bad build then): today's 230 still breaches.
  const once = thresholdVerdict(today, NOW, { ...p, seasonal: { ...p.seasonal, weekAgoWindow: past(7 * 24 * H, 100).win } });
  assert.equal(once.kind, 'breach');
  assert.equal(once.threshold, 150);
});

test('no history, no window: inconclusive, never a pass', () => {
  const s = series(NOW, W, () => 100);
  assert.equal(thresholdVerdict(s, NOW, base).kind, 'inconclusive');
  assert.equal(thresholdVerdict({ timestamps: [], values: [] }, NOW, base).kind, 'inconclusive');
  assert.equal(thresholdVerdict(s, NOW, { ...base, mode: 'off' }).kind, 'inconclusive');
});

test('a constant series never breaches its own dynamic threshold, whatever its (positive) margin (property)', () => {
  fc.assert(
    fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0.01, max: 2, noNaN: true }), fc.constantFrom('up', 'down', 'both'), (x, rel, direction) => {
      const s = series(NOW, 7 * H, () => x);
      const v = thresholdVerdict(s, NOW, { ...base, direction: direction as 'up', margin: { relative: rel, sigmas: DEFAULT_MARGIN.sigmas } });
      assert.equal(v.kind, 'pass');
      assert.ok(Number.isFinite(v.threshold!));
    }),
  );
});

test('one scrape never breaches: a single failed job in a quiet window passes, a sustained rise breaches', () => {
  const quiet = (inWindow: (t: number) => number) => series(NOW, 7 * H, (t) => (t > NOW - W ? inWindow(t) : 0));
  const one = thresholdVerdict(quiet((t) => (t === NOW - 2 * S ? 1 / 15 : 0)), NOW, base);
  assert.equal(one.kind, 'pass');
  assert.match(one.reason, /without its most extreme scrape/);
  assert.equal(thresholdVerdict(quiet(() => 0.2), NOW, base).kind, 'breach');
  assert.equal(thresholdVerdict(quiet((t) => (Math.round(t / S) % 2 === 0 ? 1 / 15 : 0)), NOW, base).kind, 'breach', 'every other scrape is no accident');
});
