import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCheck } from './evaluate-check.js';
import { StreamingDetector } from './streaming-detector.js';
import { defaultParams, DEFAULT_DETECTOR_HISTORY } from './default-detector.js';
import { resolveGuards } from './guards.js';
import { IncrementalCheck } from './incremental-check.js';

const STEP = 15_000;
function series(n: number, f: (i: number) => number) {
  return { timestamps: Array.from({ length: n }, (_, i) => (i + 1) * STEP), values: Array.from({ length: n }, (_, i) => f(i)) };
}
const wobble = (i: number) => 100 + ((i * 7919) % 13) / 6 - 1;
const check = (values: { timestamps: number[]; values: number[] }, direction: 'up' | 'down' | 'both' = 'up') =>
  evaluateCheck({ samples: values, now: values.timestamps.at(-1)!, direction, detector: { type: 'default', baseline: 10800, window: 300, threshold: 3 }, dynamic: 'off', dynamicWindowSeconds: 21600 }).anomaly;

test('default: a sustained step in the judged window breaches in its direction only', () => {
  const s = series(740, (i) => wobble(i) + (i >= 730 ? 40 : 0));
  assert.equal(check(s, 'up').kind, 'breach');
  assert.equal(check(s, 'down').kind, 'pass');
});

test('default: noise and slow drift pass', () => {
  assert.equal(check(series(740, wobble)).kind, 'pass');
  assert.equal(check(series(740, (i) => wobble(i) + i * 0.002)).kind, 'pass');
});

test('default: constant series, NaN gaps and too few samples', () => {
  assert.equal(check(series(740, () => 5)).kind, 'pass');
  assert.equal(check(series(740, (i) => (i % 5 === 0 ? NaN : wobble(i)) + (i >= 730 ? 40 : 0))).kind, 'breach');
  assert.equal(check(series(10, wobble)).kind, 'inconclusive');
});

test('streaming detector: one alarm per episode (refractory), scores in [0, 1]', () => {
  const det = new StreamingDetector(defaultParams(300, 'both', resolveGuards({})));
  let alarms = 0;
  for (let i = 0; i < 2000; i++) {
    const r = det.step(wobble(i) + (i >= 1500 && i < 1520 ? 50 : 0));
    assert.ok(r.score >= 0 && r.score <= 1);
    if (r.alarm) {
      alarms++;
      assert.ok(i >= 1500 && i < 1510, `alarm at ${i}`);
    }
  }
  assert.equal(alarms, 1);
});

test('incremental check matches evaluateCheck on the same grid', () => {
  const shape = { baseline: 20, window: 3, dynamic: 20, threshold: 3, direction: 'up' as const, guards: resolveGuards({ minSamples: 10 }) };
  const c = new IncrementalCheck(shape);
  const v = [...Array.from({ length: 20 }, (_, i) => 10 + (i % 2 ? 1 : -1)), 10, 20, 10];
  v.forEach((x) => c.push(x));
  const z = c.zscore();
  assert.equal(z.kind, 'breach');
  assert.equal(z.z, 10);
  assert.equal(c.seasonal().kind, 'breach'); // window mean 13.3 > average 10
});

test('default: a breach says in plain words how far from usual and for how long', () => {
  const s = series(740, (i) => wobble(i) + (i >= 734 ? 300 : 0));
  const v = check(s, 'up');
  assert.equal(v.kind, 'breach');
  assert.match(v.reason, /^4\.0x the usual level for 90 s; usual 100(\.\d+)? \+- 1(\.\d+)?/);
  assert.match(v.reason, /usual 100(\.\d+)? \+- /);
  // The threshold shown is a z a person can read (at least detector.threshold), not a probability.
  assert.ok(v.threshold !== undefined && v.threshold >= 3, `threshold ${v.threshold}`);
});

test('default: below the minimum effect nothing is a breach, however unlikely for the series', () => {
  // A very quiet series (sigma ~0.6) moving up by 1.3 sigma for the judged window: unusual for it,
  // but not a change a person would call abnormal (1.3 sigma, under 1%).
  const quiet = (i: number) => 100 + (((i * 7919) % 13) - 6) / 10;
  const s = series(740, (i) => quiet(i) + (i >= 730 ? 0.8 : 0));
  const v = check(s, 'up');
  assert.equal(v.kind, 'pass');
  assert.ok(Math.abs(v.z ?? 0) < 3);
});

test('default: before the detector is warm the verdict is inconclusive, never a pass', () => {
  // 60 samples: enough for the guards' 20, not for the score history's warm-up.
  const v = check(series(60, wobble));
  assert.equal(v.kind, 'inconclusive');
  assert.match(v.reason, /needs \d+ more samples/);
  assert.ok(DEFAULT_DETECTOR_HISTORY.rawSamples);
  assert.equal(check(series(DEFAULT_DETECTOR_HISTORY.warmupSamples + 25, wobble)).kind, 'pass');
});

test('default: an alarm below the minimum effect is a pass marked unusual (what a seasonal-repeat check asks)', () => {
  const noisy = (i: number) => 10 + (((i * 7919) % 13) - 6) / 3.6;
  // Seven points up (the short window of 3 alarms on the third; its strongest point is about z 5).
  const s = series(740, (i) => noisy(i) + (i >= 733 ? 3.5 : 0));
  const judge = (threshold: number) =>
    evaluateCheck({ samples: s, now: s.timestamps.at(-1)!, direction: 'up', detector: { type: 'default', baseline: 10800, window: 300, threshold }, dynamic: 'off', dynamicWindowSeconds: 21600 }).anomaly;
  const strict = judge(6);
  assert.equal(strict.kind, 'pass');
  assert.equal(strict.unusual, true);
  assert.match(strict.reason, /^unusual for this series but below the minimum effect of z 6\.00/);
  const usual = judge(4);
  assert.equal(usual.kind, 'breach');
  assert.equal(usual.unusual, true);
  assert.equal(check(series(740, noisy)).unusual, undefined);
});

test('streaming detector: a series that spikes often still alarms on a spike far beyond its usual ones', () => {
  // Two weeks at 5 minutes: noise around 100 with a z 60-80 spike every 250 samples (not daily, so
  // the same-time-yesterday comparison does not excuse it); the record rises to the usual spike
  // size. Then one spike three times the usual size. With the z cap at 50 the record reached the
  // cap and nothing, however large, could beat it any more.
  const det = new StreamingDetector(defaultParams(300, 'both', resolveGuards({})));
  const noise = (i: number) => wobble(i) * 0.5 + 50;
  let usualAlarms = 0;
  let bigAlarm = false;
  for (let i = 0; i < 4200; i++) {
    const usual = i > 300 && i % 250 === 0 && i < 4000;
    const r = det.step(noise(i) + (usual ? 60 + ((i * 7919) % 21) : 0) + (i === 4100 ? 240 : 0));
    if (r.alarm && i >= 3000 && i < 4000) usualAlarms++;
    if (r.alarm && i >= 4100 && i <= 4101) bigAlarm = true;
  }
  assert.equal(usualAlarms, 0, 'usual spikes no longer alarm once the record knows them');
  assert.ok(bigAlarm, 'a spike three times the usual size alarms');
});
