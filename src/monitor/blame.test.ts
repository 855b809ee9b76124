import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchema } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import type { Series } from '../metrics/source.js';
import { checkConfidence } from './assess.js';
import { countReference, notTheDeploys, referenceDeviates } from './blame.js';

const S = 15_000;
const MIN = 60_000;
const DAY = 86_400_000;
const DEPLOY = Date.UTC(2026, 5, 10, 20);
const check = (direction: 'up' | 'down' = 'up') => checkSchema.parse({ name: 'c', query: 'q', direction });

/** A series on the 15 s grid over [from, to] with value f(t). */
function series(from: number, to: number, f: (t: number) => number): Series {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = from; t <= to; t += S) (timestamps.push(t), values.push(f(t)));
  return { labels: {}, timestamps, values };
}
const breach = (mean: number, std: number, z = 5): Verdict => ({ kind: 'breach', rule: 'default', reason: 'alarm', mean, std, z });
const around = (now: number, f: (t: number) => number) => series(now - 3 * 3_600_000, now, f);

test('a bad build: normal before the deploy, high after: the deploy is blamed', () => {
  const now = DEPLOY + 2 * MIN;
  const s = around(now, (t) => (t > DEPLOY ? 300 : 100));
  assert.equal(notTheDeploys(check(), s, breach(100, 10), {}, DEPLOY, now), undefined);
});

test('a symptom already there before the deploy (a previous build lingering) is not the deploy\'s', () => {
  const now = DEPLOY + 2 * MIN;
  // High since 4 minutes before the deploy, fading slowly after it.
  const s = around(now, (t) => (t > DEPLOY - 4 * MIN ? 300 - (t - DEPLOY) / 10_000 : 100));
  const why = notTheDeploys(check(), s, breach(100, 10), {}, DEPLOY, now);
  assert.match(why ?? '', /already there before the deploy/);
});

test("the next build right after a rollback: the previous build's fading symptom is not its doing", () => {
  const now = DEPLOY + 2 * MIN;
  // A bad build from 4 min before (x5), rolled back 2.5 min before this deploy, fading over 5 minutes.
  const rollback = DEPLOY - 150_000;
  const f = (t: number) => (t <= DEPLOY - 4 * MIN ? 100 : t <= rollback ? 500 : 100 + 400 * Math.max(0, 1 - (t - rollback) / (5 * MIN)));
  const why = notTheDeploys(check(), around(now, f), breach(100, 13), {}, DEPLOY, now);
  assert.match(why ?? '', /already there before the deploy/);
});

test("bench:live, seed 3: a build carrying the same bad change, deployed while the rolled-back build's symptom leaves the rate window, is blamed once it stands above where the symptom had fallen", () => {
  // b3 (x5) rolled back 2 minutes before this deploy; rate[2m] lets its errors out linearly until the
  // deploy. The revert r1 carries another bad change of the same kind: its errors fill the window again.
  const rollback = DEPLOY - 2 * MIN;
  const before = (t: number) => (t <= DEPLOY - 6 * MIN ? 100 : t <= rollback ? 500 : 500 - (400 * (t - rollback)) / (2 * MIN));
  const bad = (t: number) => (t <= DEPLOY ? before(t) : 100 + 400 * Math.min(1, (t - DEPLOY) / (2 * MIN)));
  const now = DEPLOY + 3 * MIN;
  assert.equal(notTheDeploys(check(), around(now, bad), breach(100, 10), {}, DEPLOY, now), undefined, 'the 2 minutes before averaged the falling tail: not the level at the deploy');
  // A good build deployed into a slower tail (a 5-minute window): the tail goes on falling after it.
  const slow = (t: number) => (t <= DEPLOY - 6 * MIN ? 100 : t <= rollback ? 500 : Math.max(100, 500 - (400 * (t - rollback)) / (5 * MIN)));
  assert.match(notTheDeploys(check(), around(now, slow), breach(100, 10), {}, DEPLOY, now) ?? '', /already there before the deploy/);
});

test('falling traffic: far below the 3 h mean, but no lower than just before the deploy: not the deploy\'s', () => {
  const now = DEPLOY + 3 * MIN;
  const s = around(now, (t) => 1000 - ((t - (DEPLOY - 3 * 3_600_000)) / 3_600_000) * 60);
  const v: Verdict = { kind: 'breach', rule: 'default', reason: 'alarm', mean: 1090, std: 30, z: -3.5 };
  assert.match(notTheDeploys(check('down'), s, v, {}, DEPLOY, now) ?? '', /already there/);
});

test('restart: a dip in the first minute after the deploy is not judged; a dip that stays is', () => {
  const dip = around(DEPLOY + 45_000, (t) => (t > DEPLOY ? 900 : 1000));
  assert.match(notTheDeploys(check('down'), dip, breach(1000, 20, -5), {}, DEPLOY, DEPLOY + 45_000) ?? '', /first 60 s/);
  const stays = around(DEPLOY + 3 * MIN, (t) => (t > DEPLOY ? 700 : 1000));
  assert.equal(notTheDeploys(check('down'), stays, breach(1000, 20, -15), {}, DEPLOY, DEPLOY + 3 * MIN), undefined);
  // An error spike right after a deploy is news at once: no grace upwards.
  const up = around(DEPLOY + 30_000, (t) => (t > DEPLOY ? 400 : 100));
  assert.equal(notTheDeploys(check(), up, breach(100, 10), {}, DEPLOY, DEPLOY + 30_000), undefined);
});

test('restart: the grace counts from when the last deploy step finished, not from when the deploy began', () => {
  // The step takes 20 s: processes restart at its end, and the dip lasts a minute from there.
  const settled = DEPLOY + 20_000;
  const f = (t: number) => (t >= settled && t < settled + MIN ? 800 : 1000);
  const now = DEPLOY + 75_000;
  const why = notTheDeploys(check('down'), around(now, f), breach(1000, 20, -10), {}, DEPLOY, now, settled);
  assert.match(why ?? '', /first 60 s after the deploy's last step/);
  // Still deploying (no step finished yet): a dip is a restart in progress.
  assert.match(notTheDeploys(check('down'), around(now, f), breach(1000, 20, -10), {}, DEPLOY, now, now) ?? '', /restarting/);
  // After the grace, a dip that stays is judged on the points after it.
  const stays = around(DEPLOY + 3 * MIN, (t) => (t >= settled ? 700 : 1000));
  assert.equal(notTheDeploys(check('down'), stays, breach(1000, 20, -15), {}, DEPLOY, DEPLOY + 3 * MIN, settled), undefined);
});

test('the daily spike: the same rise at this time 1 d and 7 d ago excuses it; only a day ago does not', () => {
  const now = DEPLOY + 3 * MIN;
  const spike = (t: number) => ((t % DAY) > (DEPLOY % DAY) + MIN ? 180 : 100);
  const today = around(now, (t) => (t > DEPLOY + MIN ? 180 : 100));
  const past = (offset: number, f: (t: number) => number) => series(now - offset - 3 * 3_600_000, now - offset, f);
  const pasts = { dayAgo: past(DAY, spike), weekAgo: past(7 * DAY, spike) };
  assert.match(notTheDeploys(check(), today, breach(100, 10), pasts, DEPLOY, now) ?? '', /same change happened at this time/);
  const once = { dayAgo: past(DAY, spike), weekAgo: past(7 * DAY, () => 100) };
  assert.equal(notTheDeploys(check(), today, breach(100, 10), once, DEPLOY, now), undefined);
  // A bad build during the spike: far beyond what the spike explains.
  const worse = around(now, (t) => (t > DEPLOY + MIN ? 500 : 100));
  assert.equal(notTheDeploys(check(), worse, breach(100, 10), pasts, DEPLOY, now), undefined);
});

test('no level and no sigma: never dropped on missing evidence', () => {
  const now = DEPLOY + 2 * MIN;
  const s = series(DEPLOY + S, now, () => 300);
  assert.equal(notTheDeploys(check(), s, { kind: 'breach', rule: 'default', reason: 'x', mean: 100 }, {}, DEPLOY, now), undefined);
  assert.equal(notTheDeploys(check(), s, breach(100, 10), {}, DEPLOY, now), undefined, 'no points before the deploy: judged against the baseline');
});

/**
 * `bench:deploys --situations`, seed 47: an outside incident (latency x4.9 everywhere) began 2.5
 * minutes before a good build reached staging. The staging series (baseline 150.7 +- 19.45 ms,
 * about 15% noise) from 2 minutes before the deploy to 30 s after it, on the 15 s grid.
 */
const INCIDENT = [724.6, 874.2, 725.3, 714.3, 746.0, 900.1, 678.1, 607.3, 767.1, 906.7, 730.4];
const duringIncident = (extra: (t: number) => number = () => 1) =>
  around(DEPLOY + 30_000, (t) => (t < DEPLOY - 2 * MIN ? 150 : INCIDENT[Math.round((t - (DEPLOY - 2 * MIN)) / S)] * extra(t)));

test('an outside incident already there before the deploy: noise grows with the level, so the breach is not the deploy\'s', () => {
  const v = breach(150.7, 19.45, 38.9);
  // +9% over the level just before the deploy: 3.4 baseline sigmas, but under 1 sigma of the noise at 5x the level.
  assert.match(notTheDeploys(check(), duringIncident(), v, {}, DEPLOY, DEPLOY + 30_000) ?? '', /already there before the deploy/);
  // The first tick sees only the sample at the deploy's moment (the judge does not mask it): judged too, already there.
  assert.match(notTheDeploys(check(), duringIncident(), v, {}, DEPLOY, DEPLOY) ?? '', /already there before the deploy/);
  // A bad build deployed into the incident (x3 where it runs) is still blamed.
  const worse = duringIncident((t) => (t >= DEPLOY ? 3 : 1));
  assert.equal(notTheDeploys(check(), worse, v, {}, DEPLOY, DEPLOY + 30_000), undefined);
});

test('reference series during an incident already there: its noise at that level is no deviation', () => {
  // Seed 47's dogfood az3: 619 ms in the 2 minutes before the deploy, 676 since (baseline 136 +- 10.3).
  const s = around(DEPLOY + 30_000, (t) => (t < DEPLOY - 2 * MIN ? 136 : t < DEPLOY ? 619 : 676));
  const v: Verdict = { kind: 'pass', rule: 'default', reason: '', mean: 136, std: 10.3 };
  assert.equal(referenceDeviates(check(), s, v, DEPLOY, DEPLOY, DEPLOY + 30_000), false);
  // An incident that begins after the deploy still deviates at once.
  const onset = around(DEPLOY + 30_000, (t) => (t > DEPLOY ? 600 : 136));
  assert.equal(referenceDeviates(check(), onset, v, DEPLOY, DEPLOY, DEPLOY + 30_000), true);
});

test('reference series: an incident that began a minute ago deviates though the 5-minute average hides it', () => {
  const now = DEPLOY + 5 * MIN;
  const s = around(now, (t) => (t > now - 75_000 ? 150 : 100));
  const v: Verdict = { kind: 'pass', rule: 'default', reason: '', mean: 100, std: 10 };
  assert.equal(referenceDeviates(check(), s, v, DEPLOY, DEPLOY, now), true);
  const avg = (150 * 5 + 100 * 15) / 20;
  assert.ok((avg - 100) / 10 < 2, 'the 5-minute average alone stays under 2 sigma');
  assert.equal(referenceDeviates(check(), around(now, () => 100), v, DEPLOY, DEPLOY, now), false);
  // Traffic rising for hours: far above the 3 h mean, but no change since the deploy: no deviation.
  const rising = around(now, (t) => 100 + (t - (now - 3 * 3_600_000)) / 60_000);
  assert.equal(referenceDeviates(check(), rising, { ...v, mean: 190 }, DEPLOY, DEPLOY, now), false);
});

test('a thin reference group (few series that could show the effect) gives low confidence', () => {
  const now = DEPLOY + 3 * MIN;
  const flat = around(now, () => 2);
  // Two tiny staging AZs: level 2, sigma 1: a 35% rise is 0.7 sigma there, they cannot show it.
  const tiny = [0, 1].map(() => ({ series: flat, anomaly: { kind: 'pass', rule: 'default', reason: '', mean: 2, std: 1 } as Verdict }));
  const thin = countReference(check(), tiny, 0.35, () => true, DEPLOY, DEPLOY, now);
  assert.deepEqual(thin, { series: 0, breaching: 0, thin: true });
  assert.equal(checkConfidence(thin), 'low');
  const big = [0, 1, 2].map(() => ({ series: around(now, () => 600), anomaly: { kind: 'pass', rule: 'default', reason: '', mean: 600, std: 20 } as Verdict }));
  const solid = countReference(check(), [...tiny, ...big], 0.35, () => true, DEPLOY, DEPLOY, now);
  assert.deepEqual(solid, { series: 3, breaching: 0 });
  assert.equal(checkConfidence(solid), 'high');
  assert.equal(checkConfidence(countReference(check(), [], 0.35, () => true, DEPLOY, DEPLOY, now)), 'unknown', 'no reference at all stays unknown');
});

/**
 * `bench:live`, seed 1: b1 (latency x2.2) was rolled back at staging 45 s after its deploy; the
 * revert r1 reached staging 51 s later, while staging az1's p95 (over `rate(...[5m])`, the slow
 * processes lingering for minutes) was still climbing: from 0.21 to 0.44 s over the 3 minutes
 * before r1's deploy, and on for a while after it (baseline 0.21 +- 0.00509).
 */
const climb = (after: (t: number) => number) => (t: number) =>
  t <= DEPLOY - 3 * MIN ? 0.21 : t <= DEPLOY ? 0.21 + (0.23 * (t - (DEPLOY - 3 * MIN))) / (3 * MIN) : after(t);

test("a level still climbing from the previous build's symptom when the deploy lands is not the deploy's", () => {
  const v = breach(0.21, 0.00509, 48);
  for (const now of [DEPLOY + 10_000, DEPLOY + 41_000, DEPLOY + 2 * MIN]) {
    // The climb goes on slowly after the deploy (the 5-minute rate window still filling).
    const on = around(now, climb((t) => 0.44 + (0.03 * (t - DEPLOY)) / MIN));
    assert.match(notTheDeploys(check(), on, v, {}, DEPLOY, now) ?? '', /already there before the deploy/, `climbing on, ${(now - DEPLOY) / 1000} s`);
    // Or it tops out and falls slowly.
    const falls = around(now, climb((t) => 0.44 - (0.01 * (t - DEPLOY)) / MIN));
    assert.match(notTheDeploys(check(), falls, v, {}, DEPLOY, now) ?? '', /already there before the deploy/, `falling, ${(now - DEPLOY) / 1000} s`);
  }
  // A bad build deployed into the climb, far above where it was heading, is still blamed.
  const now = DEPLOY + 41_000;
  assert.equal(notTheDeploys(check(), around(now, climb(() => 0.9)), v, {}, DEPLOY, now), undefined);
});

test('flat before the deploy and a step up after it is blamed, however small the sigma', () => {
  const now = DEPLOY + 41_000;
  const s = around(now, (t) => (t >= DEPLOY ? 0.46 : 0.21));
  assert.equal(notTheDeploys(check(), s, breach(0.21, 0.00509, 48), {}, DEPLOY, now), undefined);
});

test('a trend before the deploy excuses only where it was heading: a jump far above it is blamed', () => {
  const now = DEPLOY + 2 * MIN;
  // Rising from 100 to 150 over the 10 minutes before the deploy (5 sigmas out by then), then 300.
  const rise = (t: number) => (t <= DEPLOY - 10 * MIN ? 100 : 100 + (50 * (t - (DEPLOY - 10 * MIN))) / (10 * MIN));
  const jump = around(now, (t) => (t >= DEPLOY ? 300 : rise(t)));
  assert.equal(notTheDeploys(check(), jump, breach(100, 10), {}, DEPLOY, now), undefined);
  // The same trend carried on after the deploy is not the deploy's.
  assert.match(notTheDeploys(check(), around(now, rise), breach(100, 10), {}, DEPLOY, now) ?? '', /already there before the deploy/);
});

test('noise that happens to slope up before the deploy excuses nothing', () => {
  const now = DEPLOY + 2 * MIN;
  // Within 2 sigmas of the baseline, but rising over the 2 minutes before; then a step of 5 sigmas.
  const pre = [90, 93, 96, 99, 102, 105, 108, 111, 115];
  const s = around(now, (t) => (t >= DEPLOY ? 150 : t > DEPLOY - 2 * MIN - S ? pre[Math.round((t - (DEPLOY - 2 * MIN)) / S)] : 100));
  assert.equal(notTheDeploys(check(), s, breach(100, 10), {}, DEPLOY, now), undefined);
});

test("bench:live, seed 1: the reverts r1 and r2 deployed into b1's climbing p95 are not blamed", () => {
  // The p95 read back from Prometheus every 15 s from 2 min before each deploy to 1 min after
  // (-105 s and -75 s interpolated); baseline 0.21 +- 0.00347.
  const rows = {
    r1: [0.217, 0.225, 0.233, 0.253, 0.273, 0.286, 0.295, 0.314, 0.313, 0.339, 0.354, 0.377, 0.445],
    r2: [0.289, 0.295, 0.3, 0.325, 0.349, 0.362, 0.45, 0.443, 0.436, 0.441, 0.435, 0.427, 0.434],
  };
  for (const [name, row] of Object.entries(rows)) {
    for (const secs of [10, 30, 45, 60]) {
      const now = DEPLOY + secs * 1000;
      const s = around(now, (t) => (t < DEPLOY - 2 * MIN ? 0.21 : row[Math.round((t - (DEPLOY - 2 * MIN)) / S)]));
      assert.match(notTheDeploys(check(), s, breach(0.21, 0.00347, 65), {}, DEPLOY, now) ?? '', /already there before the deploy/, `${name} at ${secs} s`);
    }
  }
});
