import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { GateVerdict } from '../domain/gate.js';
import type { StageDef } from '../domain/pipeline.js';
import { ReducerDriver } from './reducer-driver.js';
import { initialState } from './step.js';

const S = 1000;
const stage = (name: string, bakeSeconds = 10): StageDef => ({ name, environment: 'commercial', tier: name, azs: ['az1'], percent: 5, bakeSeconds });
const STAGES = [stage('canary'), stage('prod')];

function gated(stages = STAGES): ReducerDriver {
  return new ReducerDriver({ ...initialState(stages), gateRequired: true });
}

/** b1 deployed to canary at t=0 and baked until t=10 s (ready from the tick at 10 s). */
function readyInCanary(): ReducerDriver {
  const d = gated();
  d.observe({ type: 'build_received', build: { id: 'b1' } });
  d.succeedAll();
  d.at(10 * S);
  assert.equal(d.state.slots[0].phase, 'ready');
  return d;
}

const verdict = (d: ReducerDriver, v: GateVerdict, evaluatedAt: number, extra: { buildId?: string; stage?: string } = {}) =>
  d.observe({ type: 'gate_verdict', buildId: extra.buildId ?? 'b1', stage: extra.stage ?? 'canary', verdict: v, evaluatedAt, reason: `said ${v}`, recordId: `g-${evaluatedAt}` });

describe('promotion gate (reducer)', () => {
  it('keeps a baked build in its stage until a pass evaluated after the bake ended', () => {
    const d = readyInCanary();
    d.at(60 * S);
    assert.equal(d.occupants().canary, 'b1', 'no verdict: no promotion');
    verdict(d, 'pass', 9 * S); // started before the bake ended
    assert.equal(d.occupants().canary, 'b1');
    verdict(d, 'pass', 61 * S);
    assert.equal(d.occupants().prod, 'b1');
    const promote = d.decisions('promote').at(-1)!;
    assert.match(promote.reason, /gate passed at .*said pass/);
    assert.deepEqual(promote.evidence, { gateId: 'g-61000' });
  });

  it('an inconclusive or breach verdict blocks without rolling back; a later pass opens', () => {
    const d = readyInCanary();
    verdict(d, 'inconclusive', 11 * S);
    d.at(30 * S);
    verdict(d, 'breach', 31 * S);
    d.at(40 * S);
    assert.equal(d.occupants().canary, 'b1');
    assert.equal(d.requests().filter((r) => r.kind === 'rollback').length, 0);
    assert.equal(d.state.builds.b1.status, 'in_pipeline');
    verdict(d, 'pass', 41 * S);
    assert.equal(d.occupants().prod, 'b1');
  });

  it('ignores verdicts for another build, another stage, a build still baking, and older reports', () => {
    const d = gated();
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.succeedAll();
    verdict(d, 'pass', 5 * S); // still baking
    d.at(10 * S);
    assert.equal(d.state.slots[0].gate, undefined, 'a verdict during the bake is not kept');
    verdict(d, 'pass', 11 * S, { buildId: 'b0' });
    verdict(d, 'pass', 11 * S, { stage: 'prod' });
    assert.equal(d.occupants().canary, 'b1');
    verdict(d, 'inconclusive', 20 * S);
    verdict(d, 'pass', 12 * S); // a late report of an older evaluation does not replace the newer one
    assert.equal(d.occupants().canary, 'b1');
    assert.equal(d.state.slots[0].gate!.verdict as string, 'inconclusive');
  });

  it('uses a pass only when it arrives: a build that waited for a busy stage needs a new one', () => {
    const d = gated([stage('a', 10), stage('b', 100)]);
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.succeedAll();
    d.at(10 * S);
    verdict(d, 'pass', 10 * S, { stage: 'a' });
    d.succeedAll(); // b1 bakes in b until 110 s
    d.observe({ type: 'build_received', build: { id: 'b2' } });
    d.succeedAll(); // b2 bakes in a until 20 s
    d.at(20 * S);
    verdict(d, 'pass', 20 * S, { buildId: 'b2', stage: 'a' });
    assert.equal(d.occupants().a, 'b2', 'b is busy');
    d.at(110 * S);
    verdict(d, 'pass', 110 * S, { stage: 'b' });
    assert.equal(d.state.builds.b1.status, 'completed');
    d.at(115 * S);
    assert.equal(d.occupants().a, 'b2', 'the pass from 20 s is not used at 115 s');
    verdict(d, 'pass', 115 * S, { buildId: 'b2', stage: 'a' });
    assert.equal(d.occupants().b, 'b2');
  });

  it('a ready build is held from its first gate breach until a pass on an unblocked stage; inconclusive verdicts neither start nor end the hold', () => {
    const d = gated([stage('canary'), stage('prod', 600)]);
    d.observe({ type: 'build_received', build: { id: 'b0' } });
    d.succeedAll();
    d.at(10 * S);
    verdict(d, 'pass', 10 * S, { buildId: 'b0' });
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.succeedAll();
    d.at(20 * S);
    assert.equal(d.occupants().prod, 'b0', 'b0 bakes in prod: a pass for b1 cannot promote it');
    assert.equal(d.state.slots[0].heldSince, undefined);
    verdict(d, 'breach', 21 * S);
    assert.equal(d.state.slots[0].heldSince, 21 * S);
    verdict(d, 'inconclusive', 51 * S);
    assert.equal(d.state.slots[0].heldSince, 21 * S, 'a blind tick does not end the run');
    verdict(d, 'breach', 81 * S);
    assert.equal(d.state.slots[0].heldSince, 21 * S);
    verdict(d, 'pass', 111 * S);
    assert.equal(d.occupants().canary, 'b1', 'prod busy: b1 stays');
    assert.equal(d.state.slots[0].heldSince, undefined, 'a pass ends the run');
    verdict(d, 'inconclusive', 141 * S);
    assert.equal(d.state.slots[0].heldSince, undefined, 'inconclusive alone starts none');
    verdict(d, 'breach', 171 * S);
    assert.equal(d.state.slots[0].heldSince, 171 * S);
  });

  it('a pass while the stage is blocked (an open event holds it) does not end the hold; one after the block lifts does', () => {
    const d = readyInCanary();
    verdict(d, 'breach', 11 * S);
    d.observe({ type: 'block', stage: 'canary', source: 'monitor:event:ev1', reason: 'event ev1: blue' });
    verdict(d, 'pass', 41 * S);
    assert.equal(d.occupants().canary, 'b1', 'blocked: not promoted');
    assert.equal(d.state.slots[0].heldSince, 11 * S, 'still held by its own event: the run goes on');
    d.observe({ type: 'unblock', stage: 'canary', source: 'monitor:event:ev1' });
    verdict(d, 'pass', 71 * S);
    assert.equal(d.occupants().prod, 'b1');
  });

  it('a build blocked when its bake would end is held from then on, until it leaves; a block during the bake alone is no hold', () => {
    const d = gated();
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.succeedAll();
    d.at(3 * S);
    d.observe({ type: 'block', stage: 'canary', source: 'monitor:event:ev1', reason: 'event ev1: blue' });
    d.at(6 * S);
    assert.equal(d.state.slots[0].heldSince, undefined, 'still within the bake');
    d.at(10 * S);
    assert.equal(d.state.slots[0].phase, 'baking', 'the block keeps the bake from ending');
    assert.equal(d.state.slots[0].heldSince, 10 * S);
    d.at(200 * S);
    assert.equal(d.state.slots[0].heldSince, 10 * S);
    d.observe({ type: 'unblock', stage: 'canary', source: 'monitor:event:ev1' });
    d.at(205 * S);
    assert.equal(d.state.slots[0].phase, 'ready');
    assert.equal(d.state.slots[0].heldSince, 10 * S, 'unblocked, but no pass yet');
    verdict(d, 'pass', 206 * S);
    assert.equal(d.occupants().prod, 'b1');
    assert.equal(d.state.slots[0].heldSince, undefined);
    assert.equal(d.state.slots[1].heldSince, undefined, 'a new stage starts over');
  });

  it('needs a fresh verdict in every stage, also to complete from the last one', () => {
    const d = readyInCanary();
    verdict(d, 'pass', 10 * S);
    d.succeedAll();
    d.at(25 * S);
    assert.equal(d.state.slots[1].phase, 'ready');
    assert.equal(d.state.slots[1].gate, undefined, 'the canary verdict did not travel with the build');
    d.at(60 * S);
    assert.equal(d.state.builds.b1.status, 'in_pipeline');
    verdict(d, 'pass', 61 * S, { stage: 'prod' });
    assert.equal(d.state.builds.b1.status, 'completed');
    assert.match(d.decisions('complete')[0].reason, /gate passed/);
  });

  it('without a required gate, promotes as before and says there was none', () => {
    const d = new ReducerDriver(initialState(STAGES));
    d.observe({ type: 'build_received', build: { id: 'b1' } });
    d.succeedAll();
    d.at(10 * S);
    assert.equal(d.occupants().prod, 'b1');
    assert.match(d.decisions('promote').at(-1)!.reason, /no promotion gate configured/);
  });

  it('property: every promotion out of a stage happens when a pass for that build and stage, evaluated after its bake ended, arrives', () => {
    type Op = { kind: 'tick'; dt: number } | { kind: 'succeed' } | { kind: 'verdict'; v: GateVerdict; lag: number; stage: number } | { kind: 'build' } | { kind: 'block'; on: boolean; stage: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 1, max: 8 }) }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'succeed' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'build' as const }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('block' as const), on: fc.boolean(), stage: fc.integer({ min: 0, max: 2 }) }) },
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('verdict' as const), v: fc.constantFrom<GateVerdict>('pass', 'pass', 'inconclusive', 'breach'), lag: fc.integer({ min: 0, max: 6 }), stage: fc.integer({ min: 0, max: 2 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 80 }), (ops) => {
        const stages = [stage('a', 3), stage('b', 3), stage('c', 3)];
        const d = gated(stages);
        let n = 0;
        // Passes seen, by build@stage, with the bake end they had to follow.
        const passes: Array<{ key: string; evaluatedAt: number; bakeEndedAt: number; at: number }> = [];
        for (const o of ops) {
          if (o.kind === 'tick') d.at(d.now + o.dt * S);
          else if (o.kind === 'succeed') d.succeedAll();
          else if (o.kind === 'build') d.observe({ type: 'build_received', build: { id: `b${++n}` } });
          else if (o.kind === 'block') d.observe({ type: o.on ? 'block' : 'unblock', stage: stages[o.stage].name, source: 'monitor:event:e', ...(o.on ? { reason: 'held' } : {}) } as Parameters<typeof d.observe>[0]);
          else {
            const slot = d.state.slots[o.stage];
            if (!slot.buildId) continue;
            const evaluatedAt = d.now - o.lag * S;
            const before = slot.bakeEndedAt;
            verdict(d, o.v, evaluatedAt, { buildId: slot.buildId, stage: slot.stage });
            if (o.v === 'pass' && before !== undefined) passes.push({ key: `${slot.buildId}@${slot.stage}`, evaluatedAt, bakeEndedAt: before, at: d.now });
          }
          // A hold past the bake belongs to a stage's occupant after its bake, never to the future.
          for (const sl of d.state.slots) {
            if (sl.phase === 'ready' && Object.keys(sl.blocks).length > 0) assert.ok(sl.heldSince !== undefined, `${sl.stage} ready and blocked but not held`);
            if (sl.heldSince === undefined) continue;
            assert.ok(sl.buildId !== null && (sl.phase === 'ready' || sl.phase === 'baking'), `${sl.stage} ${sl.phase} held`);
            assert.ok(sl.heldSince <= d.now, `${sl.stage} held from the future`);
          }
        }
        for (const dec of d.decisions()) {
          if (dec.kind !== 'promote' && dec.kind !== 'complete') continue;
          if (dec.kind === 'promote' && /entered the first stage/.test(dec.reason)) continue;
          const from = dec.kind === 'complete' ? dec.stage! : stages[stages.findIndex((s) => s.name === dec.stage) - 1].name;
          const ok = passes.some((p) => p.key === `${dec.buildId}@${from}` && p.evaluatedAt >= p.bakeEndedAt && p.at === dec.at);
          assert.ok(ok, `${dec.kind} of ${dec.buildId} out of ${from} without a fresh pass`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
