import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchema } from '../config/schema.js';
import type { Series } from '../metrics/source.js';
import { mulberry32 } from '../sim/noise.js';
import { persistingShift, PERSISTING_MIN_RELATIVE } from './shift.js';

const S = 15_000;
const MIN = 60_000;
const DEPLOY = Date.UTC(2026, 5, 10, 10);
const check = (direction: 'up' | 'down' | 'both' = 'down', detector: Record<string, number> = {}) => checkSchema.parse({ name: 'requests', query: 'q', direction, detector });

/** A series on the 15 s grid over the 3 hours before `now`, value f(t) with +-1% noise. */
function series(now: number, f: (t: number) => number, seed = 1): Series {
  const rand = mulberry32(seed);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = now - 3 * 3_600_000; t <= now; t += S) (timestamps.push(t), values.push(f(t) * (1 + 0.02 * (rand() - 0.5))));
  return { labels: {}, timestamps, values };
}

const NOW = DEPLOY + 20 * MIN;
const FROM = NOW - 5 * MIN;

test('a held build 20% below its level before the deploy: a breach against the points before the deploy, saying so in plain words', () => {
  const v = persistingShift(check(), series(NOW, (t) => (t > DEPLOY ? 80 : 100)), 'default', { deployAt: DEPLOY }, FROM, NOW);
  assert.equal(v?.kind, 'breach');
  assert.equal(v.rule, 'default');
  assert.ok(Math.abs(v.mean! - 100) < 1 && Math.abs(v.value! - 80) < 1, JSON.stringify(v));
  assert.ok(v.z! < -3);
  assert.match(v.reason, /^still 0\.(79|80|81)x its level before the deploy: average (79|80)\.\d over the last 5 min and (79|80)\.\d in the first 5 min after it, (99|100)\.?\d* in the 2 min before \(sigma \d\.\d+ before the deploy, z=-\d+\.\d\)$/);
});

test('no breach: a change smaller than the minimum share however many sigmas, the other direction, or too few points before the deploy', () => {
  const small = 1 - PERSISTING_MIN_RELATIVE + 0.02;
  assert.equal(persistingShift(check(), series(NOW, (t) => (t > DEPLOY ? 100 * small : 100)), 'default', { deployAt: DEPLOY }, FROM, NOW), undefined, `${small}x is many sigmas of 1% noise, still too small`);
  assert.equal(persistingShift(check('up'), series(NOW, (t) => (t > DEPLOY ? 80 : 100)), 'default', { deployAt: DEPLOY }, FROM, NOW), undefined, 'a fall is not bad for an "up" check');
  assert.equal(persistingShift(check('both'), series(NOW, (t) => (t > DEPLOY ? 80 : 100)), 'default', { deployAt: DEPLOY }, FROM, NOW)?.kind, 'breach');
  const young = series(NOW, (t) => (t > DEPLOY ? 80 : 100));
  const cut = young.timestamps.findIndex((t) => t > DEPLOY - 90_000);
  const late: Series = { labels: {}, timestamps: young.timestamps.slice(cut), values: young.values.slice(cut) };
  assert.equal(persistingShift(check(), late, 'default', { deployAt: DEPLOY }, FROM, NOW), undefined, 'no 30 minutes before the deploy: cannot tell its noise');
});

test('noise is judged over the 30 minutes before the deploy: a series that swings 20% is not shifted by 20%', () => {
  // A square wave of +-15% every 5 minutes before the deploy; after it, 80 (within its usual swing).
  const wave = (t: number) => 100 * (Math.floor(t / (5 * MIN)) % 2 === 0 ? 1.15 : 0.85);
  assert.equal(persistingShift(check(), series(NOW, (t) => (t > DEPLOY ? 80 : wave(t))), 'default', { deployAt: DEPLOY }, FROM, NOW), undefined);
});

test('minVolume: a series too quiet to show anything is not shifted; a level of 0 before counts any rise', () => {
  assert.equal(persistingShift(check('up', { minVolume: 5 }), series(NOW, (t) => (t > DEPLOY ? 2 : 1)), 'default', { deployAt: DEPLOY }, FROM, NOW), undefined);
  assert.equal(persistingShift(check('up', { minVolume: 5 }), series(NOW, (t) => (t > DEPLOY ? 8 : 1)), 'default', { deployAt: DEPLOY }, FROM, NOW)?.kind, 'breach');
});

test('only a shift there since the deploy: a trend or an incident that began while the build was held is not its shift', () => {
  // Flat after the deploy for 8 minutes, then falling to 0.7x (traffic leaving one tier).
  const trend = (t: number) => (t < DEPLOY + 8 * MIN ? 100 : Math.max(70, 100 - (30 * (t - DEPLOY - 8 * MIN)) / (4 * MIN)));
  assert.equal(persistingShift(check(), series(NOW, trend), 'default', { deployAt: DEPLOY }, FROM, NOW), undefined);
  // The same level reached at once after the deploy is the build's.
  assert.equal(persistingShift(check(), series(NOW, (t) => (t > DEPLOY ? 70 : 100)), 'default', { deployAt: DEPLOY }, FROM, NOW)?.kind, 'breach');
  // A restart dip in the first minute after the deploy's last step neither makes nor hides it.
  const dip = (t: number) => (t <= DEPLOY ? 100 : t < DEPLOY + MIN ? 50 : 100);
  assert.equal(persistingShift(check(), series(NOW, dip), 'default', { deployAt: DEPLOY }, FROM, NOW), undefined);
  const dipThenLow = (t: number) => (t <= DEPLOY ? 100 : t < DEPLOY + MIN ? 50 : 78);
  assert.equal(persistingShift(check(), series(NOW, dipThenLow), 'default', { deployAt: DEPLOY }, FROM, NOW)?.kind, 'breach');
});
