import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchema } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import type { Series } from '../metrics/source.js';
import { everyPeriodRepeats, sameSizeRepeat, shiftRepeatsSeasonally, SEASONAL_SIZE_FACTOR } from './seasonal-repeat.js';

const S = 15_000;
const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 10, 20);
const DEPLOY = NOW - 2 * MIN;
const check = checkSchema.parse({ name: 'latency', query: 'q', direction: 'up' });
/** Today's shift: the average since the deploy is 40 sigmas (std 1.5) above the baseline 100. */
const shift: Verdict = { kind: 'breach', rule: 'default', reason: 'shift', mean: 100, std: 1.5, z: 40, value: 160 };

/** 3 h 10 min at 100 (alternating +-1) ending `days` before now, `rise` higher after the deploy's time of day. */
function day(days: number, rise: number): Series {
  const end = NOW - days * DAY;
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = end - 190 * MIN, i = 0; t <= end; t += S, i++) (timestamps.push(t), values.push(100 + (i % 2 ? 1 : -1) + (t > DEPLOY - days * DAY ? rise : 0)));
  return { labels: {}, timestamps, values };
}

const repeats = (dayAgo?: number, weekAgo?: number) =>
  shiftRepeatsSeasonally(check, day(0, 60), { ...(dayAgo !== undefined ? { dayAgo: day(1, dayAgo) } : {}), ...(weekAgo !== undefined ? { weekAgo: day(7, weekAgo) } : {}) }, shift, DEPLOY, NOW);

test('shift repeat: the same shift a day and a week ago is the season', () => {
  assert.equal(repeats(60, 60), true);
  assert.equal(repeats(45, 70), true);
  assert.equal(repeats(60), true, 'only the day-ago window there: it alone decides');
});

test('shift repeat: when both periods are there, both must show it', () => {
  assert.equal(repeats(60, 0), false);
  assert.equal(repeats(0, 60), false);
});

test('shift repeat: a small shift yesterday does not excuse one several times its size', () => {
  // Yesterday +8 (about 5 sigmas, past the old bar of threshold / 2), today +60 (40 sigmas).
  assert.equal(repeats(8), false);
});

test('shift repeat: missing past windows excuse nothing', () => {
  assert.equal(repeats(), false);
});

test('sameSizeRepeat: same direction, at most SEASONAL_SIZE_FACTOR times the past size', () => {
  const f = SEASONAL_SIZE_FACTOR;
  assert.equal(sameSizeRepeat(10, 10), true);
  assert.equal(sameSizeRepeat(f * 5, 5), true);
  assert.equal(sameSizeRepeat(f * 5 + 0.1, 5), false);
  assert.equal(sameSizeRepeat(2, 40), true, 'smaller than the past: the season at its quietest');
  assert.equal(sameSizeRepeat(-10, -12), true);
  assert.equal(sameSizeRepeat(10, -10), false);
  assert.equal(sameSizeRepeat(Infinity, Infinity), true);
  assert.equal(sameSizeRepeat(Infinity, 50), false);
  for (const [a, b] of [[undefined, 5], [5, undefined], [NaN, 5], [5, NaN], [0, 5], [5, 0]] as const) assert.equal(sameSizeRepeat(a, b), false, `${a} / ${b}`);
});

test('everyPeriodRepeats: every period that can tell must show it; none that can tell excuses nothing', () => {
  assert.equal(everyPeriodRepeats([true, true]), true);
  assert.equal(everyPeriodRepeats([true, undefined]), true);
  assert.equal(everyPeriodRepeats([undefined, true]), true);
  assert.equal(everyPeriodRepeats([true, false]), false);
  assert.equal(everyPeriodRepeats([false, undefined]), false);
  assert.equal(everyPeriodRepeats([undefined, undefined]), false);
  assert.equal(everyPeriodRepeats([]), false);
});
