import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StageDef } from '../domain/pipeline.js';
import { ReducerDriver } from './reducer-driver.js';
import { lastGoodFor } from './rollback.js';
import { initialState, step } from './step.js';

const stage = (name: string): StageDef => ({ name, environment: 'gov', tier: name, azs: ['a', 'b'], percent: 10, bakeSeconds: 60 });
const STAGES = ['staging', 'dogfood', 'canary', 'prod'].map(stage);
const person = { kind: 'person' as const, id: 'U1' };
const monitor = { kind: 'bot' as const, id: 'monitor' };
const S = 1000;

function flow(d: ReducerDriver, untilMs: number): void {
  while (d.now < untilMs) {
    d.at(d.now + S);
    d.succeedAll();
  }
}

/** b1 in prod, b2 in canary, b3 in dogfood, b4 in staging (all baking), b5 waiting. */
function busyPipeline(): ReducerDriver {
  const d = new ReducerDriver(initialState(STAGES));
  const arrive = (id: string, at: number) => {
    flow(d, at);
    d.observe({ type: 'build_received', build: { id } });
    d.succeedAll();
  };
  arrive('b1', 0);
  arrive('b2', 61 * S);
  arrive('b3', 122 * S);
  arrive('b4', 183 * S);
  flow(d, 200 * S);
  d.observe({ type: 'build_received', build: { id: 'b5' } });
  flow(d, 230 * S);
  return d;
}

describe('step: rollback with newer builds behind the bad one', () => {
  it('starts from the expected pipeline', () => {
    const d = busyPipeline();
    assert.deepEqual(d.occupants(), { staging: 'b4', dogfood: 'b3', canary: 'b2', prod: 'b1' });
    assert.deepEqual(d.state.slots.map((s) => s.phase), ['baking', 'baking', 'baking', 'baking']);
    assert.deepEqual(d.state.queue, ['b5']);
  });

  it('rolls back every stage running the bad build or a newer one, to its last good build', () => {
    const d = busyPipeline();
    const before = structuredClone(d.state);
    const r = step(d.state, { type: 'judged_bad', buildId: 'b3', stage: 'dogfood', actor: monitor, reason: 'fire: errors up', evidence: { z: 9 } }, d.now);
    assert.deepEqual(d.state, before, 'step does not modify its input');
    d.state = r.state;
    d.effects.push(...r.effects);

    const rollbacks = d.requests().filter((x) => x.kind === 'rollback');
    assert.deepEqual(
      rollbacks.map((x) => [x.stage, x.buildId, x.targetBuildId]),
      [
        ['staging', 'b4', 'b2'],
        ['dogfood', 'b3', 'b2'],
      ],
    );
    assert.equal(r.effects[0].type, 'decision');
    assert.equal(r.effects[1].type, 'deploy', 'rollback steps come right after the rollback decision');
    assert.deepEqual(d.decisions('taint').map((x) => x.buildId), ['b3', 'b4', 'b5']);
    for (const id of ['b3', 'b4', 'b5']) assert.equal(d.state.builds[id].status, 'tainted');
    assert.deepEqual(d.state.queue, []);
    assert.equal(d.state.builds.b2.status, 'in_pipeline', 'an older build is not touched');
    assert.equal(d.state.hold?.liftOnBuildNewerThan, 5);
    const rb = d.decisions('rollback')[0];
    assert.deepEqual([rb.actor.id, rb.reason, rb.evidence], ['monitor', 'fire: errors up', { z: 9 }]);
  });

  it('skips bake, holds until a newer build arrives, then lifts the hold by itself', () => {
    const d = busyPipeline();
    d.observe({ type: 'judged_bad', buildId: 'b3', stage: 'dogfood', actor: monitor, reason: 'bad' });
    d.succeedAll();
    assert.deepEqual(d.state.slots.map((s) => s.phase), ['idle', 'idle', 'baking', 'baking']);
    assert.deepEqual(d.state.slots.map((s) => s.runningBuildId), ['b2', 'b2', 'b2', 'b1']);
    flow(d, 600 * S);
    assert.equal(d.occupants().canary, 'b2', 'held: b2 does not promote');
    assert.ok(d.state.hold);

    // A second judgement of a tainted build is a no-op.
    assert.deepEqual(d.observe({ type: 'judged_bad', buildId: 'b4', stage: 'staging', actor: person, reason: 'again' }), []);

    d.observe({ type: 'build_received', build: { id: 'b6' } });
    assert.equal(d.state.hold, null);
    assert.deepEqual(d.occupants(), { staging: 'b6', dogfood: null, canary: null, prod: 'b2' });
    const lift = d.decisions('resume')[0];
    assert.equal(lift.actor.id, 'orchestrator');
    assert.equal(lift.buildId, 'b6');
  });

  it('a person can resume before a newer build arrives', () => {
    const d = busyPipeline();
    d.observe({ type: 'judged_bad', buildId: 'b3', stage: 'dogfood', actor: monitor, reason: 'bad' });
    d.succeedAll();
    d.observe({ type: 'resume', actor: person, reason: 'false alarm upstream' });
    assert.equal(d.state.hold, null);
    flow(d, 320 * S);
    assert.equal(d.state.builds.b2.status, 'completed', 'b2 went on to the end');
  });

  it('cancels a deploy in flight to a stage it rolls back; its late result is ignored', () => {
    const d = busyPipeline();
    d.at(250 * S); // every build moves on at once; their deploys are in flight
    assert.deepEqual(d.occupants(), { staging: 'b5', dogfood: 'b4', canary: 'b3', prod: 'b2' });
    const inflightBefore = d.inflightKeys();
    assert.equal(inflightBefore.length, 4);
    d.observe({ type: 'judged_bad', buildId: 'b2', stage: 'canary', actor: monitor, reason: 'bad' });
    for (const key of inflightBefore) assert.equal(d.state.inflight[key], undefined);
    // Every stage is getting b2 or newer: all go back to b1.
    const targets = d.requests().filter((x) => x.kind === 'rollback').map((x) => [x.stage, x.targetBuildId]);
    assert.deepEqual(targets, [['staging', 'b1'], ['dogfood', 'b1'], ['canary', 'b1'], ['prod', 'b1']]);
    assert.deepEqual(d.decisions('taint').map((x) => x.buildId), ['b2', 'b3', 'b4', 'b5']);
    for (const key of inflightBefore) assert.deepEqual(d.observe({ type: 'deploy_succeeded', key }), []);
  });

  it('rolls back a completed build everywhere, with no good build known as a null target', () => {
    const d = new ReducerDriver(initialState(STAGES));
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.succeedAll();
    flow(d, 400 * S);
    assert.equal(d.state.builds.b1.status, 'completed');
    d.observe({ type: 'judged_bad', buildId: 'b1', stage: 'prod', actor: person, reason: 'customer reports' });
    const rb = d.requests().filter((x) => x.kind === 'rollback');
    assert.deepEqual(rb.map((x) => x.targetBuildId), [null, null, null, null]);
    assert.equal(lastGoodFor(d.state, 3, Infinity), null);
    assert.deepEqual(d.state.slots.map((s) => s.lastGoodBuildId), [null, null, null, null]);
  });
});
