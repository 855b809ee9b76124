import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCheck } from './evaluate-check.js';

/**
 * "Every breach means something a person would call abnormal": a single-scrape blip no larger than
 * the blips the series showed in its own baseline is not a breach, however unlikely it looks against
 * a mean and deviation dominated by zeros (low-volume counters, error rates of a quiet service).
 */
const STEP = 15_000;
function series(n: number, f: (i: number) => number) {
  return { timestamps: Array.from({ length: n }, (_, i) => (i + 1) * STEP), values: Array.from({ length: n }, (_, i) => f(i)) };
}
const judge = (s: { timestamps: number[]; values: number[] }, direction: 'up' | 'down' | 'both' = 'up') =>
  evaluateCheck({ samples: s, now: s.timestamps.at(-1)!, direction, detector: { type: 'default', baseline: 10800, window: 300, threshold: 3 }, dynamic: 'off', dynamicWindowSeconds: 21600 }).anomaly;

// A quiet failure counter as rate(x[1m]) at 15 s: zero, with a one-event bump (1/60 per s for 4 scrapes) now and then.
const blips = [100, 400, 610];
const sparse = (extra: (i: number) => number) => series(740, (i) => (blips.some((b) => i >= b && i < b + 4) ? 1 / 60 : 0) + extra(i));

test('blip: a one-scrape bump no larger than the baseline\'s own bumps passes (unusual, not a breach)', () => {
  const v = judge(sparse((i) => (i === 735 ? 1 / 60 : 0)));
  assert.equal(v.kind, 'pass', v.reason);
});

test('blip: a gauge\'s one-scrape spike beyond anything in the baseline breaches at once', () => {
  const v = judge(series(740, (i) => 100 + ((i * 7919) % 13) / 6 + (i === 737 ? 60 : 0)));
  assert.equal(v.kind, 'breach', v.reason);
});

test('blip: a sustained rise to the usual bump size for two minutes or more breaches', () => {
  const v = judge(sparse((i) => (i >= 728 ? 1 / 60 : 0)));
  assert.equal(v.kind, 'breach', v.reason);
});

test('blip: a gauge\'s sustained 4-sigma shift breaches although one earlier spike was higher', () => {
  const noise = (i: number) => 100 + 5 * Math.sin(i * 1.7) * Math.cos(i * 0.31);
  const v = judge(series(740, (i) => noise(i) + (i === 300 ? 60 : 0) + (i >= 726 ? 20 : 0)));
  assert.equal(v.kind, 'breach', v.reason);
});

test('blip: a short dip no lower than the baseline\'s own dips passes for direction down', () => {
  const v = judge(series(740, (i) => ([200, 500].includes(i) ? 15 : i === 736 ? 20 : 50 + ((i * 7919) % 13) / 6)), 'down');
  assert.equal(v.kind, 'pass', v.reason);
});

test('blip: a zero read against a mean that running sums left at -3.7e-19 is no effect', () => {
  // Bumps early in the baseline, then zeros: the running sums' rounding leaves the mean a hair off 0.
  const v = judge(series(740, (i) => (i % 97 === 0 && i < 300 ? 0.1 + (i % 7) / 30 : 0)), 'both');
  assert.notEqual(v.kind, 'breach', v.reason);
});

test('blip: one event held by rate[1m] for a minute is a blip, a level held for 3 minutes is a change', () => {
  assert.equal(judge(sparse((i) => (i >= 733 && i < 737 ? 1 / 60 : 0))).kind, 'pass');
  assert.equal(judge(sparse((i) => (i >= 728 ? 1 / 60 : 0))).kind, 'breach');
});

test('blip: a one-scrape jump 20x the quiet series\' usual bumps breaches (a bad deploy on an error counter)', () => {
  // The winsorised baseline must learn the earlier bumps: against a mean and deviation of rounding
  // noise every bump scores the z cap, and the 20x jump looks no different from the 1x ones.
  const v = judge(sparse((i) => (i === 737 ? 20 / 60 : 0)));
  assert.equal(v.kind, 'breach', v.reason);
});
