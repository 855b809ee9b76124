import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stressSuite } from './stress-data.js';
import { stressAlarms } from './nab-cv.js';
import { kindsSuite } from './stress-kinds.js';

test('stress suite is deterministic and healthy-looking (counts are non-negative integers)', () => {
  const a = stressSuite(7, 2000);
  const b = stressSuite(7, 2000);
  assert.deepEqual(a.map((s) => s.values.slice(0, 50)), b.map((s) => s.values.slice(0, 50)));
  for (const s of a.filter((x) => x.kind === 'count')) assert.ok(s.values.every((v) => v >= 0 && Number.isInteger(v)), s.name);
});

test('the alarm record lowers false alarms on bursty counts (the known failure on unseen data)', () => {
  const suite = stressSuite(3, 8000).filter((s) => s.name.startsWith('bursty'));
  const off = stressAlarms({ name: 'record off', change: { recordHalfLife: 0 } }, suite);
  const on = stressAlarms({ name: 'default', change: {} }, suite);
  on.forEach((rate, i) => assert.ok(rate < 0.7 * off[i], `${suite[i].name}: ${rate} vs ${off[i]} per 10k without the record`));
});

test('the streams of the unseen kinds are deterministic and healthy-looking', () => {
  const a = kindsSuite(7, 4032);
  assert.deepEqual(a.map((s) => s.values.slice(0, 50)), kindsSuite(7, 4032).map((s) => s.values.slice(0, 50)));
  for (const s of a.filter((x) => x.kind === 'count')) assert.ok(s.values.every((v) => v >= 0 && Number.isInteger(v)), s.name);
  // Road speed has sensor dropouts (NaN), nothing else has gaps.
  for (const s of a) assert.equal(s.values.some(Number.isNaN), s.name.startsWith('traffic'), s.name);
  // The taxi-like stream has a weekday morning rush its weekends lack (a weekly cycle, not only a daily one).
  const taxi = a[0].values;
  const rush = (d: number) => taxi.slice(d * 288 + 96, d * 288 + 108).reduce((x, y) => x + y, 0) / 12;
  assert.ok(rush(5) < 0.7 * rush(2), `${rush(5)} vs ${rush(2)}`);
});
