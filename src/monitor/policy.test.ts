import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policySchema } from '../config/schema.js';
import { decideEventActions, decideNoData } from './policy.js';
import type { Confidence, Severity } from '../domain/events.js';

const P = policySchema.parse({});
const ev = (severity: Severity, confidence: Confidence, status: 'open' | 'closed' = 'open') => ({ severity, confidence, status });

test('default policy table', () => {
  const rows: Array<[Severity, Confidence, string[], string]> = [
    ['white', 'high', [], 'none'],
    ['blue', 'high', ['hold'], 'hold'],
    ['blue', 'low', ['hold'], 'hold'],
    ['red', 'medium', ['hold', 'offer_rollback', 'page'], 'offer_rollback'],
    ['red', 'high', ['hold', 'stop', 'offer_rollback'], 'offer_rollback'],
    ['red', 'low', ['hold', 'page'], 'page'],
    ['siren', 'high', ['hold', 'stop', 'offer_rollback', 'page'], 'offer_rollback'],
    ['fire', 'high', ['hold', 'rollback', 'page'], 'rollback'],
  ];
  for (const [s, c, actions, primary] of rows) {
    const o = decideEventActions(ev(s, c), P);
    assert.deepEqual(o.actions, actions, `${s}/${c}`);
    assert.equal(o.primary, primary, `${s}/${c}`);
    assert.equal(o.shadow, false);
  }
});

test('low confidence never rolls back or stops, even when the policy would: it pages instead', () => {
  const aggressive = policySchema.parse({ rollback: ['blue', 'red', 'siren', 'fire'], stop: ['blue'] });
  for (const s of ['blue', 'red', 'siren', 'fire'] as Severity[]) {
    const o = decideEventActions(ev(s, 'low'), aggressive);
    assert.equal(o.actions.includes('rollback'), false, s);
    assert.equal(o.actions.includes('stop'), false, s);
    assert.equal(o.actions.includes('page'), true, s);
  }
  assert.deepEqual(decideEventActions(ev('red', 'medium'), aggressive).actions, ['hold', 'offer_rollback', 'page'], 'medium: offer and page, not roll back');
  assert.deepEqual(decideEventActions(ev('blue', 'medium'), aggressive).actions, ['hold', 'offer_rollback', 'page'], 'medium: hold, do not stop');
  assert.deepEqual(decideEventActions({ ...ev('blue', 'high'), large: true }, aggressive).actions, ['hold', 'rollback']);
  assert.deepEqual(decideEventActions(ev('blue', 'high'), aggressive).actions, ['hold', 'stop', 'offer_rollback'], 'blue without a large magnitude does not roll back');
  assert.deepEqual(decideEventActions(ev('blue', 'high'), policySchema.parse({ rollback: ['blue', 'fire'] })).actions, ['hold', 'offer_rollback']);
});

test('closed events get no actions', () => {
  assert.deepEqual(decideEventActions(ev('fire', 'high', 'closed'), P).actions, []);
});

test('shadow mode: same actions, messages say "would have"', () => {
  const o = decideEventActions(ev('fire', 'high'), policySchema.parse({ shadow: true }));
  assert.equal(o.shadow, true);
  assert.deepEqual(o.actions, ['hold', 'rollback', 'page']);
  assert.equal(o.text, 'would have rolled back the build, paged the team and held the stage');
  assert.equal(decideEventActions(ev('fire', 'high'), P).text, 'rolled back the build, paged the team and held the stage');
});

test('missing data blocks at once, holds after noDataHold, never more', () => {
  const early = decideNoData('errors', 0, 299_999, P);
  assert.deepEqual([early.block, early.hold], [true, false]);
  assert.equal(early.reason, 'no data for check errors');
  const late = decideNoData('errors', 0, 300_000, P, 'backend down');
  assert.deepEqual([late.block, late.hold], [true, true]);
  assert.equal(late.reason, 'no data for check errors for 5 min (backend down)');
  assert.equal(Object.keys(late).includes('rollback'), false);
});
