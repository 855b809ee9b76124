import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainDeviation, plainDuration, plainEffect } from './plain-reason.js';

test('plain words: ratio for positive levels, difference otherwise, durations people read', () => {
  assert.equal(plainDeviation(0.902, 0.22, 0.05, 180), '4.1x the usual level for 3 minutes; usual 0.22 +- 0.05');
  assert.equal(plainEffect(30, 100), '0.30x the usual level');
  assert.equal(plainEffect(5, 0), '5.00 above the usual level');
  assert.equal(plainEffect(-3, 2), '5.00 below the usual level');
  assert.equal(plainEffect(2500, 100), '25x the usual level');
  assert.equal(plainDuration(30), '30 s');
  assert.equal(plainDuration(0), 'one sample');
  assert.equal(plainDuration(7200), '2.0 hours');
});
