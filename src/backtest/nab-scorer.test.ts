import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreFile, scaledSigmoid, probationLength, normalisedScore, type CostMatrix } from './nab-scorer.js';

const std: CostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const alarmsAt = (n: number, idx: number[]) => {
  const a = new Uint8Array(n);
  idx.forEach((i) => (a[i] = 1));
  return a;
};
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('probation is 15% of rows, at most 750', () => {
  assert.equal(probationLength(100), 15);
  assert.equal(probationLength(10_000), 750);
});

test('earliest detection in a window counts once, at full weight at the window start', () => {
  // 100 rows, probation 15, window rows 40..49 (width 10)
  const r = scoreFile(alarmsAt(100, [40, 45]), [[40, 49]], std);
  assert.equal(r.detected, 1);
  assert.equal(r.falseAlarms, 0);
  close(r.raw, 1);
  // a later first alarm earns S(p)/S(-1) with p = -(49 - 45 + 1) / 10
  close(scoreFile(alarmsAt(100, [45]), [[40, 49]], std).raw, scaledSigmoid(-0.5) / scaledSigmoid(-1));
});

test('a missed window costs fnWeight', () => {
  const r = scoreFile(alarmsAt(100, []), [[40, 49]], std);
  assert.equal(r.detected, 0);
  close(r.raw, -1);
});

test('false positives before any window cost fpWeight; after a window they are scaled by distance', () => {
  close(scoreFile(alarmsAt(100, [20]), [[40, 49]], std).raw, -1 - 0.11);
  // right after the window: p = |49 - 50| / (10 - 1)
  close(scoreFile(alarmsAt(100, [40, 50]), [[40, 49]], std).raw, 1 + 0.11 * scaledSigmoid(1 / 9));
  // far after it (p >= 3): full cost
  close(scoreFile(alarmsAt(100, [40, 80]), [[40, 49]], std).raw, 1 - 0.11);
});

test('alarms and windows inside probation are not scored', () => {
  const r = scoreFile(alarmsAt(100, [5]), [[2, 8]], std);
  assert.equal(r.scoredWindows, 0);
  assert.equal(r.falseAlarms, 0);
  close(r.raw, 0);
  assert.equal(scoreFile(alarmsAt(100, [10]), [], std).falseAlarms, 0);
});

test('normalisation: null scores 0, perfect 100', () => {
  close(normalisedScore(-2, 2, 2, std), 0);
  close(normalisedScore(2, 2, 2, std), 100);
});
