import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Build } from '../domain/build.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import { initialState } from '../pipeline/step.js';
import { bakeProgress } from './pipeline-view.js';
import { bucketSize, historyView } from './history-view.js';

const stages = [
  { name: 'staging', environment: 'c', tier: 'staging', azs: ['a'], percent: 100, bakeSeconds: 60 },
  { name: 'prod', environment: 'c', tier: 'production', azs: ['a'], percent: 100, bakeSeconds: 60 },
];
const build = (id: string, prs: number): Build => ({
  id,
  sha: 'abcdef1',
  createdAt: '2024-01-01T00:00:00Z',
  receivedAt: '2024-01-01T00:00:00Z',
  pullRequests: Array.from({ length: prs }, (_, i) => ({ number: i, title: 't', url: 'https://x/y', authorName: 'a', codeOwners: [] })),
});
const step = (buildId: string, stage: string, start: number, end: number, kind: 'deploy' | 'rollback' = 'deploy'): DeployStep => ({
  key: `${buildId}-${stage}-${kind}`, buildId, stage, kind, targetBuildId: buildId, startedAt: start, endedAt: end, outcome: 'succeeded', attempts: 1,
});
const decision = (id: string, at: number, kind: Decision['kind'], actor: 'bot' | 'person', buildId?: string): Decision => ({
  id, at, kind, actor: { kind: actor, id: actor === 'bot' ? 'orchestrator' : 'alice' }, reason: 'r', ...(buildId ? { buildId } : {}),
});

describe('historyView', () => {
  it('derives outcome, duration, furthest stage and PRs (own + superseded) per build', () => {
    const state = initialState(stages);
    state.builds.b2 = { id: 'b2', seq: 2, status: 'completed', stageIndex: 1, includes: ['b1'] };
    const v = historyView({
      now: 10_000_000,
      state,
      builds: [build('b2', 2), build('b1', 3)],
      decisions: [decision('d1', 0, 'supersede', 'bot', 'b1'), decision('d2', 1000, 'complete', 'bot', 'b2')],
      steps: [step('b2', 'staging', 1000, 2000), step('b2', 'prod', 70_000, 90_000)],
    });
    const [b2, b1] = v.deploys;
    assert.deepEqual([b2.outcome, b2.durationMs, b2.furthestStage, b2.prCount], ['reached_production', 89_000, 'prod', 5]);
    assert.deepEqual([b1.outcome, b1.durationMs, b1.prCount], ['superseded', null, 3]);
  });

  it('counts bot decisions, interventions and human decisions per bucket', () => {
    const ds = [decision('a', 0, 'promote', 'bot'), decision('b', 30_000, 'rollback', 'bot'), decision('c', 90_000, 'resume', 'person')];
    const v = historyView({ now: 0, state: initialState(stages), builds: [], decisions: ds, steps: [] });
    assert.equal(v.decisions.bucketMs, 60_000);
    assert.deepEqual(v.decisions.buckets.map((b) => [b.bot, b.botInterventions, b.human]), [[2, 1, 0], [0, 0, 1]]);
    assert.deepEqual(v.decisions.totals.byKind.resume, { bot: 0, human: 1 });
  });

  it('picks about 24 buckets of whole minutes', () => {
    assert.equal(bucketSize(0), 60_000);
    assert.equal(bucketSize(24 * 3600_000), 3600_000);
  });
});

describe('bakeProgress', () => {
  const slot = { stage: 's', buildId: 'b', phase: 'baking' as const, since: 1000, bakeUntil: 3000, lastGoodBuildId: null, blocks: {} };
  it('is the elapsed share of the bake, clamped, 1 when ready, null when not baking', () => {
    assert.equal(bakeProgress(slot, 2000), 0.5);
    assert.equal(bakeProgress(slot, 9000), 1);
    assert.equal(bakeProgress({ ...slot, phase: 'ready' }, 0), 1);
    assert.equal(bakeProgress({ ...slot, phase: 'deploying' }, 2000), null);
    assert.equal(bakeProgress({ ...slot, bakeUntil: 1000 }, 1000), 1);
  });
});
