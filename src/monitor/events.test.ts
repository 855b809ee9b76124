import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSignals, closeIfQuiet, signalKey, withAction } from './events.js';
import { signal } from './test-fixtures.js';

const T = { groupingWindowMs: 600_000, quietPeriodMs: 900_000 };
const D = { buildId: 'b1', stage: 'canary', environment: 'commercial', deployAt: 500 };

test('no signals and no open event: nothing', () => {
  assert.equal(addSignals(undefined, D, [], 0, T, 'e1'), undefined);
});

test('first signal opens an event with revision 1; repeats of the same series do not revise it', () => {
  const a = addSignals(undefined, D, [signal('errors', 'az1', 1000, { ref: [6, 0] })], 1000, T, 'e1')!;
  assert.equal(a.revised, true);
  assert.equal(a.event.id, 'e1');
  assert.equal(a.event.status, 'open');
  assert.equal(a.event.severity, 'blue');
  assert.equal(a.event.revision, 1);
  assert.equal(a.event.deployAt, 500);
  const b = addSignals(a.event, D, [signal('errors', 'az1', 31_000, { ref: [6, 0] })], 31_000, T, 'e2')!;
  assert.equal(b.revised, false);
  assert.equal(b.event.id, 'e1');
  assert.equal(b.event.signals.length, 1);
  assert.equal(b.event.signals[0].at, 31_000);
  assert.equal(b.event.signals[0].firstAt, 1000);
  assert.equal(b.event.revision, 1);
});

test('a second check escalates the same event (blue -> siren), revision rises', () => {
  const a = addSignals(undefined, D, [signal('errors', 'az1', 0, { ref: [6, 0] })], 0, T, 'e1')!;
  const b = addSignals(a.event, D, [signal('latency', 'az2', 60_000, { ref: [6, 0] })], 60_000, T, 'e2')!;
  assert.equal(b.event.id, 'e1');
  assert.equal(b.event.severity, 'siren');
  assert.equal(b.event.confidence, 'high');
  assert.equal(b.event.revision, 2);
  assert.equal(b.event.signals.length, 2);
});

test('severity never falls while open; at equal severity the latest confidence stands', () => {
  const a = addSignals(undefined, D, [signal('a', 'az1', 0, { z: 9, ref: [6, 0] }), signal('b', 'az1', 0, { z: 9, ref: [6, 0] })], 0, T, 'e1')!;
  assert.equal(a.event.severity, 'fire');
  // Much later, one check alone: would be blue, stays fire.
  const b = addSignals(a.event, D, [signal('a', 'az1', 700_000, { ref: [6, 0] })], 700_000, T, 'x')!;
  assert.equal(b.event.severity, 'fire');
  const c = addSignals(undefined, D, [signal('a', 'az1', 0, { ref: [6, 0] })], 0, T, 'e3')!;
  const d = addSignals(c.event, D, [signal('a', 'az1', 30_000, { ref: [6, 6] })], 30_000, T, 'x')!;
  assert.equal(d.event.severity, 'blue');
  assert.equal(d.event.confidence, 'low');
  assert.equal(d.revised, true);
  // high <-> medium flicker at the same severity is not a revision.
  const e = addSignals(c.event, D, [signal('a', 'az1', 30_000, { ref: [6, 2] })], 30_000, T, 'x')!;
  assert.equal(e.event.confidence, 'high');
  assert.equal(e.revised, false);
  // ...but the event keeps the newest signals' confidence apart, for the escalation of a long hold.
  assert.equal(e.event.currentConfidence, 'medium');
  const m = addSignals(undefined, D, [signal('a', 'az1', 0, { ref: [6, 2] })], 0, T, 'e4')!;
  assert.equal(m.event.confidence, 'medium');
  const quiet = addSignals(m.event, D, [signal('a', 'az1', 30_000, { ref: [6, 0] })], 30_000, T, 'x')!;
  assert.deepEqual([quiet.event.confidence, quiet.event.currentConfidence, quiet.revised], ['medium', 'high', false]);
});

test('event closes after the quiet period without signals, not before', () => {
  const a = addSignals(undefined, D, [signal('a', 'az1', 0)], 0, T, 'e1')!;
  assert.equal(closeIfQuiet(a.event, 899_999, T), undefined);
  const closed = closeIfQuiet(a.event, 900_000, T)!;
  assert.equal(closed.status, 'closed');
  assert.equal(closed.closedAt, 900_000);
  assert.equal(closed.revision, 2);
  assert.equal(closeIfQuiet(closed, 2_000_000, T), undefined);
});

test('a standing threshold breach does not keep an anomaly event open', () => {
  let e = addSignals(undefined, D, [signal('a', 'az1', 0)], 0, T, 'e1')!.event;
  assert.equal(e.severity, 'blue');
  for (let t = 60_000; t <= 900_000; t += 60_000) e = addSignals(e, D, [signal('lvl', 'az1', t, { rule: 'static' })], t, T, 'x')!.event;
  assert.equal(closeIfQuiet(e, 900_000, T)?.status, 'closed');
});

test('signals keep an event open past the grouping window', () => {
  let e = addSignals(undefined, D, [signal('a', 'az1', 0)], 0, T, 'e1')!.event;
  for (let t = 300_000; t <= 1_800_000; t += 300_000) {
    e = addSignals(e, D, [signal('a', 'az1', t)], t, T, 'new')!.event;
    assert.equal(closeIfQuiet(e, t + 30_000, T), undefined);
  }
  assert.equal(e.id, 'e1');
});

test('signalKey separates checks, rules, scope and series; withAction bumps the revision once', () => {
  const k = signalKey(signal('a', 'az1', 0));
  assert.equal(k, signalKey(signal('a', 'az1', 99)));
  assert.notEqual(k, signalKey(signal('a', 'az2', 0)));
  assert.notEqual(k, signalKey(signal('a', 'az1', 0, { rule: 'static' })));
  assert.notEqual(k, signalKey(signal('b', 'az1', 0)));
  const e = addSignals(undefined, D, [signal('a', 'az1', 0)], 0, T, 'e1')!.event;
  const held = withAction(e, 'hold');
  assert.equal(held.revision, 2);
  assert.equal(withAction(held, 'hold'), held);
});
