import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stressSuite } from './stress-data.js';
import { stressAlarms } from './nab-cv.js';

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
