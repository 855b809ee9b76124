/**
 * Random scenarios for the orchestrator's property tests and the long property bench: sequences of
 * builds (new, late and re-posted), ticks, step results (success, failure, stale), holds, stops,
 * resumes, blocks, judgements and restarts (the state goes through JSON and `adoptSavedState`, as it
 * does through the store). `runScenario` checks every invariant after every transition, drains the
 * pipeline (liveness) and replays the run to check that decisions are deterministic.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Actor, StageDef } from '../../src/domain/pipeline.js';
import type { GateVerdict } from '../../src/domain/gate.js';
import type { Observation } from '../../src/pipeline/observation.js';
import { adoptSavedState } from '../../src/pipeline/saved-state.js';
import type { Effect, PipelineState, RetryPolicy } from '../../src/pipeline/state.js';
import { initialState, step } from '../../src/pipeline/step.js';
import { checkDrained, checkState, checkTransition, newHistory, type History } from './reducer-invariants.js';

export type Op =
  | { op: 'build'; late: number }
  | { op: 'repost'; i: number }
  | { op: 'tick'; dt: number }
  | { op: 'succeed'; i: number }
  | { op: 'fail'; i: number; retryable: boolean }
  | { op: 'stale'; i: number; ok: boolean }
  | { op: 'hold' | 'stop'; person: boolean }
  | { op: 'resume' }
  | { op: 'block' | 'unblock'; stage: number; source: number }
  | { op: 'bad'; i: number; person: boolean }
  | { op: 'gate'; stage: number; verdict: GateVerdict; lag: number }
  | { op: 'restart' }
  /** Let the pipeline run: every step succeeds and every ready stage passes its gate until nothing moves (holds stay). */
  | { op: 'settle' };

export interface Scenario {
  bakes: number[];
  /** A promotion gate is required (a monitor watches): builds leave stages only on a fresh pass. */
  gate: boolean;
  retries: number;
  keepFinished: number;
  ops: Op[];
}

const idx = fc.nat(50);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('build' as const), late: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repost' as const), i: idx }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('tick' as const), dt: fc.constantFrom(0, 1000, 5000, 30_000) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('succeed' as const), i: idx }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('fail' as const), i: idx, retryable: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stale' as const), i: idx, ok: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('hold' as const, 'stop' as const), person: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('resume' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('block' as const, 'unblock' as const), stage: fc.nat(3), source: fc.nat(1) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('bad' as const), i: fc.nat(3), person: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('settle' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('gate' as const), stage: fc.nat(3), verdict: fc.constantFrom<GateVerdict>('pass', 'pass', 'inconclusive', 'breach'), lag: fc.constantFrom(0, 0, 5000, 60_000) }),
  },
);

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  bakes: fc.array(fc.constantFrom(0, 10, 30), { minLength: 1, maxLength: 3 }),
  gate: fc.boolean(),
  retries: fc.nat(2),
  keepFinished: fc.constantFrom(1, 2, 4, 1000),
  ops: fc.array(opArb, { maxLength: 30, size: 'large' }),
});

const PERSON: Actor = { kind: 'person', id: 'U1' };
const MONITOR: Actor = { kind: 'bot', id: 'monitor' };

function stagesOf(sc: Scenario): StageDef[] {
  return sc.bakes.map((bake, i) => ({ name: `s${i}`, environment: 'e', tier: `t${i}`, azs: ['a'], percent: 10, bakeSeconds: bake }));
}

/** One entry of a run: an observation at a time, or a restart. */
type Entry = { obs: Observation; now: number } | { restart: true };

/** The fixed part of a run: stages, retry policy and the prune cap. */
function setup(sc: Scenario): { stages: StageDef[]; retry: RetryPolicy; state: PipelineState } {
  const stages = stagesOf(sc);
  const retry = { retries: sc.retries, backoffSeconds: 1 };
  return { stages, retry, state: { ...initialState(stages, retry), keepFinished: sc.keepFinished, gateRequired: sc.gate } };
}

/** Turn an op into an observation against the current state (indices wrap; impossible ops become ticks). */
function resolve(op: Op, s: PipelineState, seen: { builds: string[]; keys: string[] }, now: number): { obs: Observation; dt: number } {
  const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
  const tick = { obs: { type: 'tick' } as Observation, dt: 0 };
  switch (op.op) {
    case 'build': {
      const id = `b${seen.builds.length + 1}`;
      seen.builds.push(id);
      // A late build gets an older seq; the fraction keeps every seq distinct (seqs order builds strictly).
      const seq = s.nextSeq - op.late - seen.builds.length / 1000;
      return { obs: { type: 'build_received', build: op.late ? { id, seq } : { id } }, dt: 0 };
    }
    case 'repost': {
      const id = pick(seen.builds, op.i);
      return id ? { obs: { type: 'build_received', build: { id } }, dt: 0 } : tick;
    }
    case 'tick':
      return { obs: { type: 'tick' }, dt: op.dt };
    case 'succeed':
    case 'fail': {
      const key = pick(Object.keys(s.inflight), op.i);
      if (!key) return tick;
      if (op.op === 'succeed') return { obs: { type: 'deploy_succeeded', key }, dt: 0 };
      return { obs: { type: 'deploy_failed', key, error: 'boom', retryable: op.retryable }, dt: 0 };
    }
    case 'stale': {
      const key = pick(seen.keys.filter((k) => !s.inflight[k]), op.i);
      if (!key) return tick;
      return { obs: op.ok ? { type: 'deploy_succeeded', key } : { type: 'deploy_failed', key, error: 'late', retryable: true }, dt: 0 };
    }
    case 'hold':
    case 'stop':
      return { obs: { type: op.op, actor: op.person ? PERSON : MONITOR, reason: op.op }, dt: 0 };
    case 'resume':
      return { obs: { type: 'resume', actor: PERSON, reason: 'go' }, dt: 0 };
    case 'block':
    case 'unblock': {
      const stage = s.slots[op.stage % s.slots.length].stage;
      const source = `src${op.source}`;
      return { obs: op.op === 'block' ? { type: 'block', stage, source, reason: 'event' } : { type: 'unblock', stage, source }, dt: 0 };
    }
    case 'bad': {
      // Judge one of the newest builds: that is where rollbacks interact (older ones are mostly tainted or pruned).
      const id = Object.values(s.builds).sort((a, b) => b.seq - a.seq)[op.i]?.id ?? pick(Object.keys(s.builds), op.i);
      if (!id) return tick;
      const stage = s.stages[s.builds[id].stageIndex]?.name ?? 'queue';
      return { obs: { type: 'judged_bad', buildId: id, stage, actor: op.person ? PERSON : MONITOR, reason: 'bad' }, dt: 0 };
    }
    case 'gate': {
      // A verdict for the stage's occupant, evaluated `lag` ms ago (maybe before its bake ended).
      const slot = s.slots[op.stage % s.slots.length];
      if (!slot.buildId) return tick;
      return { obs: { type: 'gate_verdict', buildId: slot.buildId, stage: slot.stage, verdict: op.verdict, evaluatedAt: now - op.lag, reason: op.verdict }, dt: 0 };
    }
    case 'restart':
    case 'settle':
      return tick;
  }
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/** A run in progress: the state, the clock and what was checked. */
class Run {
  readonly log: Entry[] = [];
  readonly decisions: string[] = [];
  readonly h: History = newHistory();
  readonly seen = { builds: [] as string[], keys: [] as string[] };
  now = 0;

  constructor(
    public state: PipelineState,
    private readonly stages: StageDef[],
    private readonly retry: RetryPolicy,
  ) {}

  apply(obs: Observation): Effect[] {
    const pre = deepFreeze(this.state);
    const r = step(pre, obs, this.now);
    assert.deepStrictEqual(step(pre, obs, this.now), r, 'step is deterministic');
    try {
      checkTransition(this.h, pre, obs, this.now, r.state, r.effects);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n  after ${JSON.stringify(obs)} at ${this.now}, effects ${JSON.stringify(r.effects.map((x) => (x.type === 'decision' ? `${x.decision.kind} ${x.decision.buildId}` : x.request.key)))}`);
    }
    this.log.push({ obs, now: this.now });
    for (const e of r.effects) {
      if (e.type === 'decision') this.decisions.push(`${e.decision.id} ${e.decision.kind} ${e.decision.buildId ?? ''}`);
      else if (!this.seen.keys.includes(e.request.key)) this.seen.keys.push(e.request.key);
    }
    this.state = r.state;
    return r.effects;
  }

  restart(): void {
    this.state = adoptSavedState(JSON.parse(JSON.stringify(this.state)), this.stages, this.retry);
    checkState(this.state);
    this.log.push({ restart: true });
  }

  /** A person resumes, blocks clear and every step succeeds until nothing moves. */
  drain(): void {
    this.apply({ type: 'resume', actor: PERSON, reason: 'drain' });
    for (const slot of this.state.slots) for (const source of Object.keys(slot.blocks)) this.apply({ type: 'unblock', stage: slot.stage, source });
    this.settle(200);
    checkDrained(this.h, this.state);
  }

  /** Every step succeeds, time passes and ready stages pass their gate, for at most `rounds` rounds or until idle. */
  settle(rounds: number): void {
    for (let round = 0; round < rounds && !this.idle(); round++) {
      for (const key of Object.keys(this.state.inflight)) this.apply({ type: 'deploy_succeeded', key });
      this.now += 60_000;
      this.apply({ type: 'tick' });
      for (const sl of this.state.slots) {
        if (this.state.gateRequired && sl.buildId && sl.phase === 'ready') {
          this.apply({ type: 'gate_verdict', buildId: sl.buildId, stage: sl.stage, verdict: 'pass', evaluatedAt: this.now, reason: 'drain' });
        }
      }
    }
  }

  private idle(): boolean {
    const s = this.state;
    return Object.keys(s.inflight).length === 0 && Object.keys(s.retrying ?? {}).length === 0 && s.queue.length === 0 && !Object.values(s.builds).some((b) => b.status === 'in_pipeline');
  }
}

/** Run `sc`, checking every invariant after every transition; throws on the first broken one. */
export function runScenario(sc: Scenario): void {
  const { stages, retry, state } = setup(sc);
  const run = new Run(state, stages, retry);
  for (const op of sc.ops) {
    if (op.op === 'restart') {
      run.restart();
      continue;
    }
    if (op.op === 'settle') {
      run.settle(20);
      continue;
    }
    const { obs, dt } = resolve(op, run.state, run.seen, run.now);
    run.now += dt;
    run.apply(obs);
  }
  run.drain();
  assert.deepStrictEqual(replay(sc, run.log), run.decisions, 'decision ids and contents are stable across a replay');
}

/** Apply the logged observations again from the start; returns the decisions. */
function replay(sc: Scenario, log: Entry[]): string[] {
  const { stages, retry, state } = setup(sc);
  let s = state;
  const out: string[] = [];
  for (const e of log) {
    if ('restart' in e) {
      s = adoptSavedState(JSON.parse(JSON.stringify(s)), stages, retry);
      continue;
    }
    const r = step(s, e.obs, e.now);
    for (const x of r.effects) if (x.type === 'decision') out.push(`${x.decision.id} ${x.decision.kind} ${x.decision.buildId ?? ''}`);
    s = r.state;
  }
  return out;
}
