import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingDetector } from './streaming-detector.js';
import { defaultParams } from './default-detector.js';
import { resolveGuards } from './guards.js';
import { SlotHistory } from './slot-history.js';
import { mulberry32 } from '../sim/noise.js';

const DAY = 288;

function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Steps a 5-minute detector through values; returns the indices that alarmed. */
function alarms(values: number[], change: object = {}): number[] {
  const det = new StreamingDetector({ ...defaultParams(300, 'both', resolveGuards({})), ...change });
  const out: number[] = [];
  values.forEach((x, i) => det.step(x).alarm && out.push(i));
  return out;
}

test('slow score: a level shift of 2 sigmas (20%) held for hours alarms early, where the short score alone never does', () => {
  for (const seed of [11, 12, 13]) {
    const u = mulberry32(seed);
    const at = 3 * DAY;
    const values = Array.from({ length: 4 * DAY }, (_, i) => 20 + 2 * gauss(u) + (i >= at ? 4 : 0));
    assert.deepEqual(alarms(values, { slowWindow: 0 }).filter((i) => i >= at), [], `seed ${seed}`);
    const slow = alarms(values);
    assert.ok(slow.length > 0 && slow[0] >= at && slow[0] < at + 24, `seed ${seed}: alarmed at ${slow.join(',')}`);
  }
});

test('weekly comparison: a bump at the same time every week is news the first week only', () => {
  const u = mulberry32(5);
  const week = 7 * DAY;
  // A weekly job: +40% for an hour, every Monday 10:00 (no daily repeat, so the daily comparison cannot excuse it).
  const bump = (i: number) => (i % week >= 120 && i % week < 132 ? 40 : 0);
  const values = Array.from({ length: 4 * week }, (_, i) => 100 + 2 * gauss(u) + bump(i));
  const inLaterWeeks = (xs: number[]) => xs.filter((i) => i >= week && bump(i) > 0);
  assert.ok(inLaterWeeks(alarms(values, { weekSlot: 0 })).length >= 3, 'without it every Monday alarms');
  assert.deepEqual(inLaterWeeks(alarms(values)), []);
});

test('slot history: one sample per slot compares raw values; longer slots compare slot means', () => {
  const raw = new SlotHistory(4, 1, 1);
  [10, 20, 30, 40, 50].forEach((x) => raw.push(x));
  // Next sample is index 5; one lag back is index 1 (20), neighbours 10 and 30.
  assert.equal(raw.z(31, 1, 'both'), 1);
  const slots = new SlotHistory(8, 2, 0);
  assert.equal(slots.z(0, 1, 'both'), Infinity);
  [1, 3, 5, 7, 9, 11, 13, 15, NaN, NaN].forEach((x) => slots.push(x));
  // 5 slots done (means 2, 6, 10, 14, NaN); the next is slot 5, one lag (4 slots) back is slot 1 (mean 6).
  assert.equal(slots.z(9, 1, 'up'), 3);
  slots.push(17);
  slots.push(19);
  // Slot 2 (mean 10) is now one lag back of slot 6.
  assert.equal(slots.z(7, 1, 'down'), 3);
  // A slot with no finite value is skipped: one lag back of slot 8 is slot 4 (gaps only).
  [21, 23, 25, 27].forEach((x) => slots.push(x));
  assert.equal(slots.z(7, 1, 'both'), Infinity);
});

test('slot history: the ring grows as slots arrive and then reads like a full one', () => {
  const h = new SlotHistory(200, 1, 1);
  const xs = Array.from({ length: 500 }, (_, i) => (i * 7919) % 101);
  xs.forEach((x, i) => {
    if (i >= 201) {
      const want = Math.min(...[-1, 0, 1].map((j) => Math.abs(50 - xs[i - 200 + j])));
      assert.equal(h.z(50, 1, 'both'), want, `at ${i}`);
    } else assert.equal(h.z(50, 1, 'both'), Infinity);
    h.push(x);
  });
});
