import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployEvent } from '../domain/events.js';
import type { Decision } from '../domain/pipeline.js';
import type { PipelineState, SlotState } from '../pipeline/state.js';
import { stageHealth } from './stage-health.js';
import { statusStrip } from './status-strip.js';

const NOW = 10_000_000;
const slot = (over: Partial<SlotState> = {}): SlotState => ({ stage: 'staging', buildId: 'b3', phase: 'baking', since: NOW - 1000, bakeUntil: NOW + 1000, lastGoodBuildId: 'b2', blocks: {}, ...over });
const event = (over: Partial<DeployEvent> = {}): DeployEvent => ({
  id: 'ev-1', buildId: 'b3', stage: 'staging', environment: 'commercial', status: 'open', severity: 'blue', confidence: 'high', openedAt: NOW - 500, updatedAt: NOW - 100, summary: 'raw',
  signals: [{ check: 'error_rate', labels: { az: 'az1' }, inScope: true, at: NOW - 100, verdict: { kind: 'breach', rule: 'zscore', reason: 'r', value: 4, mean: 1, z: 9, threshold: 3 }, reference: { series: 5, breaching: 0 } }],
  ...over,
});
const state = (slots: SlotState[], over: Partial<PipelineState> = {}): PipelineState => ({
  stages: [], nextSeq: 4, queue: [], slots, hold: null, inflight: {}, nextId: 1,
  builds: { b3: { id: 'b3', seq: 3, status: 'in_pipeline', stageIndex: 0, includes: [] }, b1: { id: 'b1', seq: 1, status: 'rolled_back', stageIndex: 0, includes: [] } },
  ...over,
});

test('stage health: blocked by an event links to it; no data is blocked, never healthy; signal, held, watching, healthy', () => {
  const blocked = stageHealth(slot({ blocks: { 'monitor:event:ev-1': 'event ev-1: raw' } }), [event()], null);
  assert.equal(blocked.state, 'blocked');
  assert.equal(blocked.label, 'Blocked by a blue event');
  assert.equal(blocked.href, '/events/ev-1');
  assert.match(blocked.detail ?? '', /^Error rate in staging az1 is 4x its usual level/);
  const nodata = stageHealth(slot({ phase: 'ready', blocks: { 'monitor:nodata:latency': 'no samples since 10:00' } }), [], null);
  assert.equal(nodata.state, 'blocked');
  assert.match(nodata.detail ?? '', /no data for latency/);
  assert.equal(stageHealth(slot(), [event()], null).state, 'signal');
  assert.equal(stageHealth(slot(), [], { actor: { kind: 'person', id: 'alice' }, reason: 'lunch', at: 1, kind: 'hold' }).state, 'held');
  assert.equal(stageHealth(slot(), [], null).state, 'watching');
  assert.equal(stageHealth(slot({ phase: 'ready' }), [], null).state, 'healthy');
  assert.equal(stageHealth(slot({ phase: 'ready' }), [], null, true).state, 'watching', 'baked but the gate has not spoken');
  assert.equal(stageHealth(slot({ phase: 'rolling_back' }), [event()], null).state, 'rolling_back');
  assert.equal(stageHealth(slot({ buildId: null, phase: 'idle' }), [], null).state, 'idle');
});

test('status strip: open events by severity, the banner names the blocked stage, rollbacks of the last hour, suspects', () => {
  const s = state([slot({ blocks: { 'monitor:event:ev-1': 'x' } })]);
  const decisions = [
    { id: 'd1', at: NOW - 10 * 60_000, kind: 'rollback', actor: { kind: 'bot', id: 'monitor' }, reason: 'bad', buildId: 'b1' },
    { id: 'd0', at: NOW - 2 * 3600_000, kind: 'rollback', actor: { kind: 'person', id: 'bob' }, reason: 'old', buildId: 'b0' },
  ] as Decision[];
  const strip = statusStrip({ now: NOW, state: s, openEvents: [event(), event({ id: 'ev-2', buildId: 'b1', severity: 'fire' })], decisions });
  assert.equal(strip.openEvents.total, 2);
  assert.equal(strip.openEvents.bySeverity.blue, 1);
  assert.equal(strip.openEvents.items[0].severity, 'fire', 'most severe first');
  assert.equal(strip.banner.text, 'Blocked: staging waits on a blue event');
  assert.equal(strip.banner.href, '/events/ev-1');
  assert.deepEqual(strip.rollbacksLastHour.map((r) => `${r.buildId} by ${r.by}`), ['b1 by the bot (monitor)']);
  assert.deepEqual(strip.suspects, ['b3'], 'a rolled-back build is no suspect');
  const calm = statusStrip({ now: NOW, state: state([slot()]), openEvents: [], decisions: [] });
  assert.match(calm.banner.text, /^Pipeline running/);
  const after = statusStrip({ now: NOW, state: state([slot()]), openEvents: [event({ buildId: 'b1', severity: 'fire' })], decisions });
  assert.match(after.banner.text, /^Rolled back b1 by the bot \(monitor\); its fire event is still open/);
  const stopped = statusStrip({ now: NOW, state: state([slot()], { hold: { kind: 'stop', actor: { kind: 'person', id: 'carol' }, reason: 'incident', at: 1 } }), openEvents: [], decisions: [] });
  assert.equal(stopped.banner.text, 'Stopped by carol: incident');
  assert.equal(stopped.hold?.by, 'carol');
});
