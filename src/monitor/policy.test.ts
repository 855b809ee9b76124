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

test('escalation: a hold past the bake that lasts escalateAfter rolls back the deploy\'s own breach at high confidence, else offers and pages', () => {
  // Breaching since 3 minutes before `at` unless said.
  const sig = (rule: 'static' | 'default', clearBefore: boolean | undefined, at = 1000, firstAt = at - 180_000) => ({
    check: 'errors', labels: {}, inScope: true, at, firstAt, reference: { series: 6, breaching: 0 },
    verdict: { kind: 'breach' as const, rule, reason: 'x' }, ...(clearBefore !== undefined ? { clearBefore } : {}),
  });
  const white = (confidence: Confidence, signals: ReturnType<typeof sig>[]) => ({ ...ev('white', confidence), signals });
  const TEN_MIN = 600_000;
  const R = (heldForMs: number, now = 1000) => ({ heldForMs, now });
  assert.equal(P.escalateAfter, 600, 'default: 10 minutes');
  // Short of the limit: the table's actions only.
  assert.deepEqual(decideEventActions(white('high', [sig('static', true)]), P, R(TEN_MIN - 1)).actions, []);
  assert.equal(decideEventActions(white('high', [sig('static', true)]), P, R(TEN_MIN - 1)).escalated, undefined);
  // A static limit the series kept before the deploy, crossed since, held for 10 min: the deploy's own.
  const own = decideEventActions(white('high', [sig('static', true)]), P, R(TEN_MIN));
  assert.deepEqual(own.actions, ['hold', 'rollback']);
  assert.equal(own.escalated, 'rollback');
  // An anomaly (blame has already dropped what was there before): the deploy's own too; a blue event's stop-free hold turns into a rollback.
  assert.deepEqual(decideEventActions({ ...ev('blue', 'high'), signals: [sig('default', undefined)] }, P, R(TEN_MIN)).actions, ['hold', 'rollback']);
  // The last breach more than 5 minutes ago (the event holds the stage on old evidence), or one blip: people decide.
  assert.deepEqual(decideEventActions(white('high', [sig('static', true)]), P, R(TEN_MIN, 1000 + 300_001)).actions, ['hold', 'offer_rollback', 'page']);
  assert.deepEqual(decideEventActions(white('high', [sig('static', true)]), P, R(TEN_MIN, 1000 + 300_000)).actions, ['hold', 'rollback']);
  assert.deepEqual(decideEventActions({ ...ev('blue', 'high'), signals: [sig('default', undefined, 1000, 1000)] }, P, R(TEN_MIN)).actions, ['hold', 'offer_rollback', 'page']);
  assert.deepEqual(decideEventActions({ ...ev('blue', 'high'), signals: [sig('default', undefined, 1000, 1000 - 120_000)] }, P, R(TEN_MIN)).actions, ['hold', 'rollback']);
  // Crossed before the deploy, or not known: people decide.
  for (const clear of [false, undefined]) {
    const o = decideEventActions(white('high', [sig('static', clear)]), P, R(TEN_MIN));
    assert.deepEqual(o.actions, ['hold', 'offer_rollback', 'page'], String(clear));
    assert.equal(o.escalated, 'offer_rollback');
  }
  // An anomaly 6 minutes ago does not make today's standing level the deploy's.
  assert.deepEqual(decideEventActions(white('high', [sig('default', undefined, 1000 - 360_000), sig('static', false, 1000)]), P, R(TEN_MIN)).actions, ['hold', 'offer_rollback', 'page']);
  // Medium confidence: offer and page; low: nothing more (an outside incident is not the build's).
  assert.deepEqual(decideEventActions(white('medium', [sig('static', true)]), P, R(TEN_MIN)).actions, ['hold', 'offer_rollback', 'page']);
  assert.deepEqual(decideEventActions(white('low', [sig('static', true)]), P, R(TEN_MIN)).actions, []);
  // The escalation judges the newest signals' confidence (an event shown at medium since its first
  // minutes keeps that label while the reference group goes quiet again): high now rolls back its own
  // breach; medium now (the reference group moving) offers, whatever the label; low now does nothing.
  const now = (shown: Confidence, current: Confidence) => ({ ...white(shown, [sig('static', true)]), currentConfidence: current });
  assert.deepEqual(decideEventActions(now('medium', 'high'), P, R(TEN_MIN)).actions, ['hold', 'rollback']);
  assert.equal(decideEventActions(now('medium', 'high'), P, R(TEN_MIN)).escalated, 'rollback');
  assert.deepEqual(decideEventActions(now('high', 'medium'), P, R(TEN_MIN)).actions, ['hold', 'offer_rollback', 'page']);
  assert.deepEqual(decideEventActions(now('medium', 'low'), P, R(TEN_MIN)).actions, []);
  assert.deepEqual(decideEventActions(now('low', 'high'), P, R(TEN_MIN)).actions, []);
  assert.deepEqual(decideEventActions({ ...white('high', [sig('static', true)]), status: 'closed' as const }, P, R(TEN_MIN)).actions, []);
  // Off with 0; a fire rolls back as before and is not called an escalation.
  assert.deepEqual(decideEventActions(white('high', [sig('static', true)]), policySchema.parse({ escalateAfter: 0 }), R(10 * TEN_MIN)).actions, []);
  assert.equal(decideEventActions({ ...ev('fire', 'high'), signals: [] }, P, R(TEN_MIN)).escalated, undefined);
  // Shadow mode says it.
  assert.equal(decideEventActions(white('high', [sig('static', true)]), policySchema.parse({ shadow: true, escalateAfter: '10m' }), R(TEN_MIN)).text, 'would have rolled back the build and held the stage');
});
