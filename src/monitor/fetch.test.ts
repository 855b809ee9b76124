import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsKey } from './fetch.js';

test('labelsKey: one canonical text per label set, whatever the key order, and the same text again for the same object', () => {
  const a = { tier: 'canary', az: 'az1', path: 'a "b",c=d' };
  const b = { path: 'a "b",c=d', az: 'az1', tier: 'canary' };
  assert.equal(labelsKey(a), 'az="az1",path="a \\"b\\",c=d",tier="canary"');
  assert.equal(labelsKey(b), labelsKey(a));
  assert.equal(labelsKey(a), labelsKey(a), 'remembered for the object');
  assert.notEqual(labelsKey({ az: 'az1', tier: 'canary' }), labelsKey(a));
  assert.equal(labelsKey({}), '');
});
