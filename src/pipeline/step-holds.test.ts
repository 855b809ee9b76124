import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StageDef } from '../domain/pipeline.js';
import { ReducerDriver } from './reducer-driver.js';
import { initialState } from './step.js';

const stage = (name: string, bakeSeconds = 0): StageDef => ({ name, environment: 'commercial', tier: name, azs: ['az1'], percent: 5, bakeSeconds });
const person = { kind: 'person' as const, id: 'U7' };
const monitor = { kind: 'bot' as const, id: 'monitor' };

/** One stage, no retries: the smallest pipeline where a failure holds at once. */
function oneStage(): ReducerDriver {
  return new ReducerDriver(initialState([stage('staging')], { retries: 0, backoffSeconds: 1 }));
}

function failFirstStep(d: ReducerDriver): void {
  const [key] = d.inflightKeys();
  d.observe({ type: 'deploy_failed', key, error: 'exit 3', retryable: false });
}

describe('step: holds survive rollbacks (regressions)', () => {
  it('keeps a deploy-failure hold when a later rollback holds too', () => {
    const d = oneStage();
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    failFirstStep(d);
    d.observe({ type: 'build_received', build: { id: 'b2' } });
    d.observe({ type: 'judged_bad', buildId: 'b2', stage: 'queue', actor: monitor, reason: 'bad' });
    d.observe({ type: 'build_received', build: { id: 'b3' } });
    assert.equal(d.state.slots[0].phase, 'failed');
    assert.ok(d.state.hold, 'a failed stage keeps the pipeline held');
    assert.equal(d.state.hold!.liftOnBuildNewerThan, undefined, 'the failure hold does not lift by itself');
    d.observe({ type: 'resume', actor: person, reason: 'fixed the deploy host' });
    assert.equal(d.state.slots[0].phase, 'deploying', 'resume retries the failed step');
  });

  for (const first of ['deploy failure', 'monitor hold'] as const) {
    it(`keeps a person's hold through a ${first}, a rollback and a newer build`, () => {
      const d = oneStage();
      d.observe({ type: 'build_received', build: { id: 'b1' } });
      d.observe({ type: 'hold', actor: person, reason: 'change freeze' });
      if (first === 'deploy failure') failFirstStep(d);
      else d.observe({ type: 'hold', actor: monitor, reason: 'error rate up' });
      assert.deepEqual(d.state.hold?.actor, person, 'a bot does not replace a person hold');
      d.observe({ type: 'judged_bad', buildId: 'b1', stage: 'staging', actor: monitor, reason: 'bad' });
      d.observe({ type: 'build_received', build: { id: 'b2' } });
      assert.deepEqual(d.state.hold?.actor, person, 'only a resume lifts a person hold');
      assert.equal(d.state.hold?.reason, 'change freeze');
    });
  }

  it('a second rollback of an older build does not lower the auto-lift threshold', () => {
    const d = new ReducerDriver(initialState([stage('staging'), stage('prod')]));
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.observe({ type: 'build_received', build: { id: 'b2' } });
    d.observe({ type: 'judged_bad', buildId: 'b2', stage: 'queue', actor: monitor, reason: 'bad' });
    d.observe({ type: 'judged_bad', buildId: 'b1', stage: 'staging', actor: monitor, reason: 'bad too' });
    assert.equal(d.state.hold?.liftOnBuildNewerThan, 2, 'b2 is tainted: only a build newer than b2 lifts the hold');
    d.observe({ type: 'build_received', build: { id: 'b1x', seq: 2 } });
    assert.ok(d.state.hold, 'a build as old as b2 does not lift it');
    d.observe({ type: 'build_received', build: { id: 'b3' } });
    assert.equal(d.state.hold, null);
  });

  it('a rollback after a failure hold still waits for a build newer than every tainted build', () => {
    // Found by the property test: b2's rollback hold was replaced by b1's failure hold, then b1's rollback forgot b2.
    const d = oneStage();
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.observe({ type: 'build_received', build: { id: 'b2' } });
    d.observe({ type: 'judged_bad', buildId: 'b2', stage: 'queue', actor: monitor, reason: 'bad' });
    failFirstStep(d);
    d.observe({ type: 'judged_bad', buildId: 'b1', stage: 'staging', actor: monitor, reason: 'bad too' });
    d.observe({ type: 'build_received', build: { id: 'b1x', seq: 1.5 } });
    assert.ok(d.state.hold, 'a build older than the tainted b2 does not lift the hold');
    assert.equal(d.state.hold!.liftOnBuildNewerThan, 2);
  });

  it('keeps the rollback target although more than the prune cap of builds finished since', () => {
    const d = new ReducerDriver(initialState([stage('staging')]));
    for (const id of ['b1', 'b2']) {
      d.observe({ type: 'build_received', build: { id } });
      d.succeedAll();
      d.at(d.now + 1);
    }
    assert.equal(d.state.builds.b2.status, 'completed');
    d.observe({ type: 'hold', actor: person, reason: 'freeze' });
    for (let i = 0; i < 1002; i++) d.observe({ type: 'build_received', build: { id: `q${i}` } });
    d.observe({ type: 'resume', actor: person, reason: 'thaw' });
    d.observe({ type: 'judged_bad', buildId: 'b2', stage: 'staging', actor: person, reason: 'b2 corrupts data' });
    const rollbacks = d.requests().filter((r) => r.kind === 'rollback');
    assert.equal(rollbacks.length, 1);
    assert.equal(rollbacks[0].targetBuildId, 'b1', 'b1 is the newest good build older than b2');
  });
});
