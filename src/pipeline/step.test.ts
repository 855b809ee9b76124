import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StageDef } from '../domain/pipeline.js';
import { ReducerDriver } from './reducer-driver.js';
import { initialState, step } from './step.js';

const stage = (name: string, bakeSeconds = 60): StageDef => ({
  name,
  environment: 'commercial',
  tier: name === 'prod' ? 'production' : name,
  azs: ['az1'],
  percent: name === 'prod' ? 100 : 2,
  bakeSeconds,
});
const STAGES = [stage('staging'), stage('dogfood'), stage('canary'), stage('prod')];
const person = { kind: 'person' as const, id: 'U1' };
const S = 1000;

function driver(retry = { retries: 2, backoffSeconds: 5 }): ReducerDriver {
  return new ReducerDriver(initialState(STAGES, retry));
}

/** Advance in 1 s ticks to `untilMs`, letting every deploy succeed at once. */
function flow(d: ReducerDriver, untilMs: number): void {
  while (d.now < untilMs) {
    d.at(d.now + S);
    d.succeedAll();
  }
}

const receive = (d: ReducerDriver, id: string) => d.observe({ type: 'build_received', build: { id } });

describe('step: pipelining', () => {
  it('carries three builds in flight at once and completes them in order', () => {
    const d = driver();
    receive(d, 'b1');
    d.succeedAll();
    flow(d, 61 * S);
    receive(d, 'b2');
    d.succeedAll();
    flow(d, 122 * S);
    receive(d, 'b3');
    d.succeedAll();
    assert.deepEqual(d.occupants(), { staging: 'b3', dogfood: 'b2', canary: 'b1', prod: null });
    flow(d, 600 * S);
    assert.deepEqual(d.occupants(), { staging: null, dogfood: null, canary: null, prod: null });
    assert.deepEqual(d.decisions('complete').map((x) => x.buildId), ['b1', 'b2', 'b3']);
    assert.deepEqual(d.state.slots.map((s) => s.lastGoodBuildId), ['b3', 'b3', 'b3', 'b3']);
    assert.deepEqual(d.state.slots.map((s) => s.runningBuildId), ['b3', 'b3', 'b3', 'b3']);
    // 3 builds x 4 stages, one key each, never repeated.
    const keys = d.requests().map((r) => r.key);
    assert.equal(keys.length, 12);
    assert.equal(new Set(keys).size, 12);
  });

  it('keeps a baked build waiting while the next stage is occupied', () => {
    const d = new ReducerDriver(initialState([stage('a', 10), stage('b', 100)]));
    receive(d, 'b1');
    d.succeedAll();
    flow(d, 12 * S); // b1 in b (baking 100 s)
    receive(d, 'b2');
    d.succeedAll();
    flow(d, 40 * S); // b2 baked in a, b is busy
    assert.equal(d.state.slots[0].phase, 'ready');
    assert.deepEqual(d.occupants(), { a: 'b2', b: 'b1' });
    flow(d, 115 * S);
    assert.deepEqual(d.occupants(), { a: null, b: 'b2' });
  });
});

describe('step: queue', () => {
  it('lets the newest waiting build enter and records the older ones as included', () => {
    const d = driver();
    receive(d, 'b1');
    d.succeedAll();
    for (const id of ['b2', 'b3', 'b4']) receive(d, id);
    assert.deepEqual(d.state.queue, ['b2', 'b3', 'b4']);
    flow(d, 62 * S);
    assert.equal(d.occupants().staging, 'b4');
    assert.deepEqual(d.state.queue, []);
    assert.deepEqual(d.state.builds.b4.includes, ['b2', 'b3']);
    for (const id of ['b2', 'b3']) {
      assert.equal(d.state.builds[id].status, 'superseded');
      assert.equal(d.state.builds[id].includedIn, 'b4');
    }
    assert.deepEqual(d.decisions('supersede').map((x) => x.buildId), ['b2', 'b3']);
    assert.equal(d.decisions('enqueue').length, 4);
  });

  it('ignores a build posted twice and supersedes an older build that arrives late', () => {
    const d = driver();
    d.observe({ type: 'build_received', build: { id: 'b5', seq: 5 } });
    assert.deepEqual(receive(d, 'b5'), []);
    d.observe({ type: 'build_received', build: { id: 'b4', seq: 4 } });
    assert.equal(d.state.builds.b4.status, 'superseded');
    assert.equal(d.state.builds.b4.includedIn, 'b5');
    assert.equal(d.state.nextSeq, 6);
  });
});

describe('step: hold, stop, resume, block', () => {
  const cases = [
    { name: 'hold stops promotion', obs: 'hold' as const },
    { name: 'stop stops promotion', obs: 'stop' as const },
  ];
  for (const c of cases) {
    it(c.name + ' until a person resumes', () => {
      const d = driver();
      receive(d, 'b1');
      d.succeedAll();
      d.observe({ type: c.obs, actor: person, reason: 'investigating' });
      flow(d, 300 * S);
      assert.deepEqual(d.occupants().staging, 'b1');
      assert.equal(d.state.slots[0].phase, 'ready');
      receive(d, 'b2');
      assert.equal(d.state.builds.b2.status, 'queued', 'a held pipeline admits nothing');
      d.observe({ type: 'resume', actor: person, reason: 'fine' });
      assert.equal(d.occupants().dogfood, 'b1');
      assert.equal(d.occupants().staging, 'b2');
      const logged = d.decisions().filter((x) => x.kind === c.obs || x.kind === 'resume');
      assert.deepEqual(logged.map((x) => [x.kind, x.actor.id, x.reason]), [
        [c.obs, 'U1', 'investigating'],
        ['resume', 'U1', 'fine'],
      ]);
    });
  }

  it('a block keeps the build in its stage until every source unblocks', () => {
    const d = driver();
    receive(d, 'b1');
    d.succeedAll();
    d.observe({ type: 'block', stage: 'staging', source: 'event:e1', reason: 'open event' });
    d.observe({ type: 'block', stage: 'staging', source: 'nodata', reason: 'no data' });
    flow(d, 200 * S);
    assert.equal(d.occupants().staging, 'b1');
    assert.equal(d.state.builds.b1.bakedThrough, undefined, 'a blocked bake is not good yet');
    d.observe({ type: 'unblock', stage: 'staging', source: 'event:e1' });
    assert.equal(d.occupants().staging, 'b1');
    d.observe({ type: 'unblock', stage: 'staging', source: 'nodata' });
    assert.equal(d.occupants().dogfood, 'b1');
  });

  it('a stop holds retries of deploys but not rollbacks', () => {
    const d = driver();
    receive(d, 'b1');
    const [key] = d.inflightKeys();
    d.observe({ type: 'stop', actor: person, reason: 'freeze' });
    d.observe({ type: 'deploy_failed', key, error: 'boom', retryable: true });
    d.at(60 * S);
    assert.deepEqual(d.inflightKeys(), [], 'no retry while stopped');
    d.observe({ type: 'judged_bad', buildId: 'b1', stage: 'staging', actor: person, reason: 'bad' });
    const rb = d.requests().filter((r) => r.kind === 'rollback');
    assert.equal(rb.length, 1);
    assert.equal(d.state.hold?.kind, 'stop', "the person's stop stays");
    assert.deepEqual(d.state.retrying, {}, 'the cancelled deploy is not retried');
  });
});
