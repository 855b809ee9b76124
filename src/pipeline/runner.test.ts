import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import type { Build } from '../domain/build.js';
import { ReleasebotError } from '../domain/errors.js';
import type { StageDef } from '../domain/pipeline.js';
import type { Notification } from '../notify/notification.js';
import { createStore } from '../store/create.js';
import type { Store } from '../store/store.js';
import type { DeployRequest } from './deployer.js';
import { PipelineRunner } from './runner.js';
import { SimulatedDeployer } from './simulated-deployer.js';

const S = 1000;
const stage = (name: string, tier = name): StageDef => ({ name, environment: 'commercial', tier, azs: ['az1'], percent: 10, bakeSeconds: 10 });
const STAGES = [stage('staging'), stage('canary'), stage('prod', 'production')];
const person = { kind: 'person' as const, id: 'U7' };

const build = (id: string, prs: number[] = [1]): Build => ({
  id,
  sha: id.padEnd(40, '0'),
  createdAt: '2024-05-01T10:00:00Z',
  receivedAt: '2024-05-01T10:00:01Z',
  pullRequests: prs.map((n) => ({ number: n, title: `PR ${n}`, url: `https://git/pr/${n}`, authorName: `dev${n}`, authorSlackId: `U${n}`, codeOwners: [] })),
});

interface Rig {
  runner: PipelineRunner;
  deployer: SimulatedDeployer;
  notes: Notification[];
}

/** A runner over `store` with a simulated deployer whose successful steps go to `deployed`. */
function rig(store: Store, clock: ManualClock, deployed: string[], opts: { failWhen?: (r: DeployRequest, a: number) => boolean; retries?: number } = {}): Rig {
  const deployer = new SimulatedDeployer({ clock, stepSeconds: 2, failWhen: opts.failWhen, onDeployed: (r) => deployed.push(r.key) });
  const notes: Notification[] = [];
  const runner = new PipelineRunner({
    store,
    deployer,
    clock,
    stages: STAGES,
    retry: { retries: opts.retries ?? 2, backoffSeconds: 1 },
    onNotify: (n) => notes.push(n),
  });
  return { runner, deployer, notes };
}

/** Move the clock second by second to `untilMs`, ticking and settling each time. */
async function drive(runner: PipelineRunner, clock: ManualClock, untilMs: number): Promise<void> {
  while (clock.now() < untilMs) {
    await clock.advance(S);
    await runner.settle();
    await runner.tick();
    await runner.settle();
  }
}

describe('PipelineRunner', () => {
  it('walks builds through every stage, persisting decisions, traced steps and state', async () => {
    const store = await createStore('sqlite::memory:');
    const clock = new ManualClock(0);
    const deployed: string[] = [];
    const { runner, notes } = rig(store, clock, deployed);
    await runner.start({ loop: false });
    assert.equal(await runner.submitBuild(build('b1', [1, 2])), 'created');
    assert.equal(await runner.submitBuild(build('b1', [1, 2])), 'exists');
    await drive(runner, clock, 5 * S);
    await runner.submitBuild(build('b2', [3]));
    await runner.submitBuild(build('b3', [4]));
    await drive(runner, clock, 120 * S);

    const snap = runner.snapshot();
    assert.deepEqual(Object.values(snap.builds).map((b) => [b.id, b.status]), [['b1', 'completed'], ['b2', 'superseded'], ['b3', 'completed']]);
    const steps = await store.listSteps();
    assert.equal(steps.length, 6);
    for (const s of steps) {
      assert.equal(s.outcome, 'succeeded');
      assert.equal(s.endedAt! - s.startedAt, 2 * S, `${s.key} traced start to end`);
    }
    assert.equal(new Set(deployed).size, deployed.length);
    const kinds = (await store.listDecisions()).map((d) => d.kind);
    assert.deepEqual(kinds.filter((k) => k === 'complete').length, 2);
    assert.ok(kinds.includes('supersede'));
    const saved = (await store.loadState())!.state as typeof snap;
    assert.deepEqual(saved, snap, 'the saved state is the state');

    const reached = notes.find((n) => n.type === 'deploy_progress' && n.phase === 'reached_production' && n.build.id === 'b3');
    assert.ok(reached && reached.type === 'deploy_progress');
    assert.deepEqual(reached.build.pullRequests.map((p) => p.number), [4, 3], "the superseded build's PRs ride along");
    assert.equal(reached.key, 'progress:b3:prod:reached_production');
    assert.equal(new Set(notes.map((n) => n.key)).size, notes.length, 'notification keys are unique');
    await runner.close();
    await store.close();
  });

  it('resumes after a crash without repeating a finished step (SQLite file, reopened)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rb-runner-')), 'state.db');
    let store = await createStore(`sqlite:${file}`);
    const clock = new ManualClock(0);
    const deployed: string[] = [];
    const first = rig(store, clock, deployed);
    await first.runner.start({ loop: false });
    await first.runner.submitBuild(build('b1'));
    await drive(first.runner, clock, 15 * S); // b1 baked in staging, canary step done, baking
    await first.runner.submitBuild(build('b2'));
    await drive(first.runner, clock, 16 * S); // b2's staging step is in the deployer
    const interrupted = Object.keys(first.runner.snapshot().inflight);
    assert.equal(interrupted.length, 1);
    const doneBefore = [...deployed];
    await first.runner.close(); // the process dies
    await store.close();
    store = await createStore(`sqlite:${file}`);

    const second = rig(store, clock, deployed);
    await second.runner.start({ loop: false });
    await drive(second.runner, clock, 150 * S);
    const snap = second.runner.snapshot();
    assert.deepEqual([snap.builds.b1.status, snap.builds.b2.status], ['completed', 'completed']);
    assert.equal(new Set(deployed).size, deployed.length, 'no step deployed twice');
    assert.equal(deployed.length, 6);
    const calls2 = second.deployer.calls.map((c) => c.key);
    for (const key of doneBefore) assert.ok(!calls2.includes(key), `${key} finished before the crash and was not repeated`);
    assert.equal(calls2[0], interrupted[0], 'the interrupted step is performed again, under its own key');
    await second.runner.close();
    await store.close();
  });

  it('does not perform again a step whose success was recorded before the crash', async () => {
    const store = await createStore('sqlite::memory:');
    const clock = new ManualClock(0);
    const deployed: string[] = [];
    const first = rig(store, clock, deployed);
    await first.runner.start({ loop: false });
    await first.runner.submitBuild(build('b1'));
    const [key] = Object.keys(first.runner.snapshot().inflight);
    await first.runner.close();
    // The deployer finished and its success was written; the process died before the transition.
    const [rec] = await store.listSteps({ buildId: 'b1' });
    await store.upsertStep({ ...rec, endedAt: 2 * S, outcome: 'succeeded' });

    const second = rig(store, clock, deployed);
    await second.runner.start({ loop: false });
    await second.runner.settle();
    assert.deepEqual(second.deployer.calls, []);
    assert.equal(second.runner.snapshot().slots[0].phase, 'baking');
    assert.equal(second.runner.snapshot().inflight[key], undefined);
    await second.runner.close();
    await store.close();
  });

  it('retries a failing step with backoff, then holds with the reason', async () => {
    const store = await createStore('sqlite::memory:');
    const clock = new ManualClock(0);
    const { runner } = rig(store, clock, [], { retries: 2, failWhen: (r) => r.stage === 'canary' });
    await runner.start({ loop: false });
    await runner.submitBuild(build('b1'));
    await drive(runner, clock, 40 * S);
    const snap = runner.snapshot();
    assert.equal(snap.slots[1].phase, 'failed');
    assert.match(snap.hold?.reason ?? '', /deploy of b1 to canary failed after 3 attempt\(s\): .*simulated failure \(attempt 3\)/);
    const step = (await store.listSteps({ buildId: 'b1' })).find((s) => s.stage === 'canary')!;
    assert.deepEqual([step.outcome, step.attempts], ['failed', 3]);
    const kinds = (await store.listDecisions({ buildId: 'b1' })).map((d) => d.kind);
    assert.deepEqual(kinds.filter((k) => k === 'deploy_failed' || k === 'hold'), ['deploy_failed', 'deploy_failed', 'deploy_failed', 'hold']);
    await runner.close();
    await store.close();
  });

  it('rolls back once however often it is asked, and rejects unknown builds and stages', async () => {
    const store = await createStore('sqlite::memory:');
    const clock = new ManualClock(0);
    const { runner, notes } = rig(store, clock, []);
    await runner.start({ loop: false });
    await runner.submitBuild(build('b1'));
    await drive(runner, clock, 5 * S);
    const [a, b] = await Promise.all([runner.rollback('b1', person, 'errors'), runner.rollback('b1', person, 'errors')]);
    assert.deepEqual([a, b].sort(), [false, true]);
    await drive(runner, clock, 10 * S);
    assert.equal((await store.listDecisions()).filter((d) => d.kind === 'rollback').length, 1);
    assert.equal(runner.snapshot().slots[0].runningBuildId, null);
    assert.ok(notes.some((n) => n.type === 'deploy_progress' && n.phase === 'rolled_back' && n.build.id === 'b1'));
    await assert.rejects(runner.rollback('nope', person, 'x'), (e: unknown) => e instanceof ReleasebotError && e.code === 'NOT_FOUND');
    await assert.rejects(
      runner.observe({ type: 'block', stage: 'qa', source: 'm', reason: 'r' }),
      (e: unknown) => e instanceof ReleasebotError && e.code === 'NOT_FOUND' && /unknown stage "qa"/.test(e.message),
    );
    await runner.close();
    await store.close();
  });
});
