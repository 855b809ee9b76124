import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReleasebotError } from '../domain/errors.js';
import type { StageDef } from '../domain/pipeline.js';
import { ReducerDriver } from './reducer-driver.js';
import { initialState } from './step.js';

const stage = (name: string): StageDef => ({ name, environment: 'commercial', tier: name, azs: ['az1'], percent: 5, bakeSeconds: 30 });
const STAGES = [stage('staging'), stage('canary')];
const person = { kind: 'person' as const, id: 'U9' };
const S = 1000;

describe('step: deploy failures', () => {
  it('retries with doubling backoff under the same key, then holds with the reason', () => {
    const d = new ReducerDriver(initialState(STAGES, { retries: 2, backoffSeconds: 5 }));
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    const [key] = d.inflightKeys();
    const table = [
      // [time of failure, time a retry is not yet due, time it is due]
      { failAt: 0, notYet: 4 * S, due: 5 * S },
      { failAt: 5 * S, notYet: 14 * S, due: 15 * S },
    ];
    for (const [i, row] of table.entries()) {
      d.now = row.failAt;
      d.observe({ type: 'deploy_failed', key, error: 'exit 1', retryable: true });
      d.at(row.notYet);
      assert.deepEqual(d.inflightKeys(), [], `attempt ${i + 2} waits for its backoff`);
      d.at(row.due);
      assert.deepEqual(d.inflightKeys(), [key]);
      assert.equal(d.state.inflight[key].attempt, i + 2);
    }
    assert.equal(d.state.hold === null, true, 'retries do not hold the pipeline');
    d.observe({ type: 'deploy_failed', key, error: 'exit 1: disk full', retryable: true });
    assert.equal(d.state.slots[0].phase, 'failed');
    assert.equal(d.state.hold?.kind, 'hold');
    assert.match(d.state.hold!.reason, /deploy of b1 to staging failed after 3 attempt\(s\): exit 1: disk full/);
    assert.deepEqual(d.decisions('deploy_failed').map((x) => x.reason.slice(0, 22)), [
      'deploy attempt 1/3 fai',
      'deploy attempt 2/3 fai',
      'deploy attempt 3/3 fai',
    ]);
    d.at(100 * S);
    assert.deepEqual(d.inflightKeys(), [], 'never silently retried or skipped while held');

    d.observe({ type: 'resume', actor: person, reason: 'disk cleaned' });
    const [fresh] = d.inflightKeys();
    assert.notEqual(fresh, key, 'a resumed step gets a new key');
    assert.equal(d.state.inflight[fresh].attempt, 1);
    d.observe({ type: 'deploy_succeeded', key: fresh });
    assert.equal(d.state.slots[0].phase, 'baking');
  });

  it('holds at once on a failure that is not retryable', () => {
    const d = new ReducerDriver(initialState(STAGES, { retries: 5, backoffSeconds: 1 }));
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    const [key] = d.inflightKeys();
    d.observe({ type: 'deploy_failed', key, error: 'bad arguments', retryable: false });
    assert.equal(d.state.slots[0].phase, 'failed');
    assert.ok(d.state.hold);
  });

  it('ignores results for unknown keys and results that arrive twice', () => {
    const d = new ReducerDriver(initialState(STAGES));
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    const [key] = d.inflightKeys();
    assert.deepEqual(d.observe({ type: 'deploy_succeeded', key: 'nope' }), []);
    d.observe({ type: 'deploy_succeeded', key });
    const before = structuredClone(d.state);
    d.observe({ type: 'deploy_succeeded', key });
    d.observe({ type: 'deploy_failed', key, error: 'late', retryable: true });
    assert.deepEqual(d.state, before);
  });
});

describe('initialState', () => {
  const bad: Array<[string, StageDef[], RegExp]> = [
    ['no stages', [], /at least one stage/],
    ['duplicate names', [stage('a'), stage('a')], /pipeline\.stages\[1\]\.name: duplicate stage name "a"/],
  ];
  for (const [name, stages, msg] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => initialState(stages),
        (e: unknown) => e instanceof ReleasebotError && e.code === 'CONFIG_INVALID' && msg.test(e.message),
      );
    });
  }
});

describe('pruneBuilds (via step)', () => {
  it('keeps the state small but keeps every build a stage still refers to', async () => {
    const { pruneBuilds } = await import('./prune.js');
    const d = new ReducerDriver(initialState([stage('only')]));
    for (let i = 1; i <= 30; i++) {
      d.observe({ type: 'build_received', build: { id: `b${i}` } });
      d.succeedAll();
      d.at(d.now + 31 * S);
    }
    assert.equal(Object.values(d.state.builds).filter((b) => b.status === 'completed').length, 30);
    const s = structuredClone(d.state);
    pruneBuilds(s, 5);
    // b25 stays as the rollback target of b26, the oldest of the five newest.
    assert.deepEqual(Object.keys(s.builds).sort(), ['b25', 'b26', 'b27', 'b28', 'b29', 'b30']);
    assert.equal(s.slots[0].lastGoodBuildId, 'b30');
  });
});
