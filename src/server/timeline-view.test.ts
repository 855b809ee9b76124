import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployEvent } from '../domain/events.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import { timelineView } from './timeline-view.js';

const H = 3600_000;
const NOW = 100 * H;

test('timeline: steps, events and marks inside the window, clipped; young histories get a shorter span', () => {
  const steps = [
    { key: 'a', buildId: 'b1', stage: 'staging', kind: 'deploy', startedAt: NOW - 30 * H, endedAt: NOW - 29 * H, attempts: 1, outcome: 'succeeded' },
    { key: 'b', buildId: 'b2', stage: 'staging', kind: 'deploy', startedAt: NOW - 2 * H, endedAt: NOW - H, attempts: 1, outcome: 'succeeded' },
    { key: 'c', buildId: 'b2', stage: 'prod', kind: 'rollback', startedAt: NOW - 10 * 60_000, attempts: 1 },
  ] as unknown as DeployStep[];
  const events = [{ id: 'e1', buildId: 'b2', stage: 'prod', severity: 'red', status: 'open', openedAt: NOW - 20 * 60_000 }] as unknown as DeployEvent[];
  const decisions = [
    { id: 'd1', at: NOW - 9 * 60_000, kind: 'rollback', actor: { kind: 'person', id: 'alice' }, reason: 'bad', buildId: 'b2' },
    { id: 'd2', at: NOW - 9 * 60_000, kind: 'promote', actor: { kind: 'bot', id: 'orchestrator' }, reason: 'ok', buildId: 'b2' },
    { id: 'd3', at: NOW - 40 * H, kind: 'hold', actor: { kind: 'bot', id: 'monitor' }, reason: 'old' },
  ] as unknown as Decision[];
  const t = timelineView({ now: NOW, spanMs: 24 * H, stages: ['staging', 'prod'], steps, events, decisions });
  assert.deepEqual(t.steps.map((s) => s.buildId), ['b2', 'b2'], 'the 30-hour-old step is outside');
  assert.equal(t.steps[1].running, true);
  assert.equal(t.steps[1].end, NOW);
  assert.deepEqual(t.events.map((e) => e.id), ['e1']);
  assert.deepEqual(t.marks.map((m) => `${m.kind} by ${m.by}`), ['rollback by alice']);
  assert.ok(t.from > NOW - 24 * H && t.from <= NOW - 2 * H, `span starts shortly before the oldest step: ${(NOW - t.from) / H} h`);
  const empty = timelineView({ now: NOW, spanMs: 24 * H, stages: [], steps: [], events: [], decisions: [] });
  assert.equal(NOW - empty.from, H, 'at least an hour');
});
