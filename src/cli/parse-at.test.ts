import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EARLIEST_AT, parseAt } from './parse-at.js';

const AT = Date.parse('2026-03-10T10:00:00Z');

test('parseAt: ISO-8601 with a zone, epoch seconds (also fractional) and epoch milliseconds', () => {
  assert.equal(parseAt('2026-03-10T10:00:00Z'), AT);
  assert.equal(parseAt('2026-03-10T11:00:00+01:00'), AT);
  assert.equal(parseAt('2026-03-10T10:00:00.000Z'), AT);
  assert.equal(parseAt('2026-03-10'), Date.parse('2026-03-10T00:00:00Z'));
  assert.equal(parseAt(String(AT / 1000)), AT, 'epoch seconds, as Prometheus takes them');
  assert.equal(parseAt(`${AT / 1000}.25`), AT + 250);
  assert.equal(parseAt(String(AT)), AT, 'epoch milliseconds');
});

test('parseAt: a value meaning 1970 is an error that says so, not an empty answer', () => {
  assert.throws(() => parseAt('1700000'), /means 1970-01-20.*before 2000/);
  assert.throws(() => parseAt('0'), /means 1970-01-01/);
  assert.throws(() => parseAt('1970-01-02T00:00:00Z'), /before 2000/);
});

test('parseAt: garbage and zone-less date-times are rejected, naming the option', () => {
  assert.throws(() => parseAt('yesterday'), /--at "yesterday": use an ISO-8601/);
  assert.throws(() => parseAt('2026-03-10T10:00:00'), /add a zone/);
  assert.throws(() => parseAt('-5'), /--at "-5"/);
  assert.throws(() => parseAt('2026-13-45T10:00:00Z'), /not a valid time/);
});

test('parseAt: seconds and milliseconds of the same moment agree (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: EARLIEST_AT, max: Date.UTC(2100, 0, 1) }), (ms) => {
      const s = Math.floor(ms / 1000);
      assert.equal(parseAt(String(s)), s * 1000);
      assert.equal(parseAt(String(ms)), ms);
      assert.equal(parseAt(new Date(ms).toISOString()), ms);
    }),
  );
});
