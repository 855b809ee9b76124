import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACTION_IDS,
  actionKindOf,
  parseActionValue,
  renderDmStep,
  renderEventMessage,
  renderShadow,
  renderSignalReply,
  signalKey,
  verdictNumbers,
} from './slack-blocks.js';
import { build, event, signal } from '../../test/support/slack-fixtures.js';

test('event message: severity emoji, checks, build, stage, scope, numbers, links and four buttons', () => {
  const e = event([signal('error_rate', 10), signal('latency_p99', 20, { inScope: false })]);
  const m = renderEventMessage(e);
  const json = JSON.stringify(m.blocks);
  assert.match(json, /:red_circle: :red_circle: Build b42 at canary: red event/);
  assert.match(json, /\*Checks\*\\nerror_rate, latency_p99/);
  assert.match(json, /1\/2 signals in the deploy's scope/);
  assert.match(json, /value 5\.25, mean 1\.1, std 0\.3, z 13\.83, threshold 3 \(zscore\)/);
  assert.match(json, /<https:\/\/grafana\.example\/d\/x\?var-check=error_rate\|graph>/);
  assert.match(json, /<https:\/\/logs\.example\/search\?q=latency_p99\|logs>/);
  const actions = m.blocks.find((b) => b.type === 'actions') as unknown as { elements: Array<{ action_id: string; value: string; text: { text: string } }> };
  assert.deepEqual(actions.elements.map((b) => b.text.text), ['Roll back now', 'Pause pipeline', 'Resume', 'Acknowledge']);
  assert.deepEqual(actions.elements.map((b) => b.action_id), Object.values(ACTION_IDS));
  assert.deepEqual(parseActionValue(actions.elements[0].value), { eventId: 'ev-1', buildId: 'b42' });
  assert.match(m.text, /🔴/);
});

test('severity emoji for each tier, and resolved events lose their buttons', () => {
  const s = [signal('error_rate', 10)];
  assert.match(renderEventMessage(event(s, { severity: 'fire' })).text, /🔥/);
  assert.match(JSON.stringify(renderEventMessage(event(s, { severity: 'siren' })).blocks), /:rotating_light:/);
  assert.match(JSON.stringify(renderEventMessage(event(s, { severity: 'blue', action: 'hold' })).blocks), /:large_yellow_circle: :large_blue_circle:/);
  const closed = renderEventMessage(event(s, { status: 'closed', closedAt: 5 }));
  assert.match(closed.text, /Resolved/);
  assert.equal(closed.blocks.some((b) => b.type === 'actions'), false);
  assert.match(JSON.stringify(closed.blocks), /:large_green_circle:/);
});

test('thread reply, shadow text, numbers without undefined parts, action ids round trip', () => {
  const e = event([signal('error_rate', 10)]);
  assert.match(renderSignalReply(e, signal('cpu', 30)).text, /new signal on build b42 at canary\n• \*cpu\*/);
  assert.match(renderShadow(e, 'rollback').text, /would have rolled back build b42 because 1 z-score breaches in the canary/);
  assert.equal(verdictNumbers({ kind: 'breach', rule: 'static', reason: '', value: 12, threshold: 10 }), 'value 12, threshold 10 (static)');
  assert.equal(actionKindOf('releasebot_rollback'), 'rollback');
  assert.equal(actionKindOf('other'), undefined);
  assert.equal(parseActionValue('not json'), undefined);
  // One key per check and series: the monitor refreshes `at` every tick, which must not re-thread it.
  assert.equal(signalKey(signal('a', 1)), signalKey(signal('a', 2)));
  assert.notEqual(signalKey(signal('a', 1)), signalKey(signal('b', 1)));
  assert.notEqual(signalKey(signal('a', 1, { labels: { az: 'a1' } })), signalKey(signal('a', 1, { labels: { az: 'a2' } })));
  assert.equal(signalKey(signal('a', 1, { labels: { x: '1', y: '2' } })), signalKey(signal('a', 1, { labels: { y: '2', x: '1' } })));
});

test('DM final lines say why', () => {
  assert.match(renderDmStep(build(), 'rolled_back', 'canary', 'error_rate z=13.8 in canary'), /rolled back at canary: error_rate z=13.8/);
  assert.match(renderDmStep(build(), 'reached_production', 'prod-100'), /reached 100% of production/);
});

test('rollback and stop buttons carry a plain-text confirmation dialog within Slack limits', () => {
  const long = 'b'.repeat(150);
  const m = renderEventMessage(event([signal('error_rate', 1)], { buildId: long }));
  const actions = m.blocks.find((b) => b.type === 'actions') as unknown as { elements: Array<{ action_id: string; confirm?: Record<string, { type: string; text: string }> }> };
  const byId = new Map(actions.elements.map((e) => [e.action_id, e]));
  for (const id of ['releasebot_rollback', 'releasebot_pause']) {
    const c = byId.get(id)?.confirm;
    assert.ok(c, `${id} asks first`);
    assert.equal('type' in c, false, 'a composition object, not a block');
    for (const part of ['title', 'text', 'confirm', 'deny']) assert.equal(c[part].type, 'plain_text', `${id} ${part}`);
    assert.ok(c.title.text.length <= 100 && c.text.text.length <= 300 && c.confirm.text.length <= 30);
  }
  assert.equal(byId.get('releasebot_resume')?.confirm, undefined, 'resuming needs no dialog');
});

test('an escalated event says so in its message: how long the build was held past its bake', () => {
  const s = [signal('error_rate', 10)];
  const plain = JSON.stringify(renderEventMessage(event(s, { severity: 'white', action: 'offer_rollback' })).blocks);
  assert.doesNotMatch(plain, /escalated/);
  const e = event(s, { severity: 'white', action: 'offer_rollback', escalated: { at: 1, heldForMs: 11 * 60_000, action: 'offer_rollback' } });
  const json = JSON.stringify(renderEventMessage(e).blocks);
  assert.match(json, /escalated: b42 held at canary for 11 min past its bake/);
  const actions = renderEventMessage(e).blocks.find((b) => b.type === 'actions') as unknown as { elements: Array<{ text: { text: string } }> };
  assert.ok(actions.elements.some((b) => b.text.text === 'Roll back now'), 'the offer is a button');
});
