import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingDetector } from './streaming-detector.js';
import { defaultParams } from './default-detector.js';
import { resolveGuards } from './guards.js';
import { mulberry32 } from '../sim/noise.js';

const DAY_15S = 5760;

function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

test('a 15 s detector holds the seasonal history it has seen, not a whole day from the start', () => {
  const det = new StreamingDetector(defaultParams(15, 'up', resolveGuards({})));
  const u = mulberry32(3);
  for (let i = 0; i < 741; i++) det.step(100 + gauss(u));
  // 3 h 5 min of samples: the day ring alone would be 46 KB if sized for a day up front.
  assert.ok(det.seasonalBytes() < 16_000, `held ${det.seasonalBytes()} bytes after 741 samples`);
  for (let i = 0; i < DAY_15S + 10; i++) det.step(100 + gauss(u));
  assert.ok(det.seasonalBytes() >= 8 * (DAY_15S + 3), `held ${det.seasonalBytes()} bytes after a day`);
});

test('the day history reads yesterday right while it grows and once it wraps: a daily spike is news on day 1 only', () => {
  const u = mulberry32(9);
  // A 2-minute +60% spike at the same time every day, on a 15 s grid, for 3.5 days.
  const at = 4000;
  const spike = (i: number) => (i % DAY_15S >= at && i % DAY_15S < at + 8 ? 60 : 0);
  const det = new StreamingDetector(defaultParams(15, 'up', resolveGuards({})));
  const alarms: number[] = [];
  for (let i = 0; i < 3.5 * DAY_15S; i++) if (det.step(100 + gauss(u) + spike(i)).alarm) alarms.push(i);
  const inSpike = (d: number) => alarms.filter((i) => i >= d * DAY_15S + at && i < d * DAY_15S + at + 8);
  assert.ok(inSpike(0).length > 0, `day 0 spike should alarm: ${alarms.join(',')}`);
  assert.deepEqual(inSpike(1), [], 'day 1: the same spike yesterday');
  assert.deepEqual(inSpike(2), [], 'day 2 (the ring has wrapped): the same spike yesterday');
  assert.deepEqual(inSpike(3), [], 'day 3');
});
