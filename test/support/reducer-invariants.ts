/**
 * The orchestrator's invariants, checked after every transition of a property run (see
 * reducer-scenario.ts). Each check throws an Error naming the rule it broke; fast-check shrinks the
 * observation sequence that led there.
 */
import type { Observation } from '../../src/pipeline/observation.js';
import { referencedIds } from '../../src/pipeline/prune.js';
import type { BuildState, Effect, PipelineState } from '../../src/pipeline/state.js';

/** What the checker remembers across a run: every build ever seen, and ids used so far. */
export interface History {
  /** Last known record of every build ever received (the state prunes; this does not). */
  builds: Map<string, BuildState>;
  decisionIds: Set<string>;
  stepKeys: Set<string>;
}

export function newHistory(): History {
  return { builds: new Map(), decisionIds: new Set(), stepKeys: new Set() };
}

function fail(rule: string, detail: unknown): never {
  throw new Error(`invariant broken: ${rule}: ${JSON.stringify(detail)}`);
}

/** Check one transition `pre --obs@now--> post` (with its effects) and update `h`. */
export function checkTransition(h: History, pre: PipelineState, obs: Observation, now: number, post: PipelineState, effects: Effect[]): void {
  checkIds(h, effects);
  checkPersonHold(pre, obs, post);
  checkEffects(h, pre, obs, post, effects, now);
  checkState(post);
  // A build may leave the state only once finished (pruned), possibly within this very transition.
  const STATUS = { supersede: 'superseded', complete: 'completed', taint: 'tainted' } as const;
  const finishedNow = new Map<string, BuildState['status']>();
  for (const e of effects) {
    if (e.type === 'decision' && e.decision.buildId && e.decision.kind in STATUS) finishedNow.set(e.decision.buildId, STATUS[e.decision.kind as keyof typeof STATUS]);
  }
  for (const b of h.builds.values()) {
    if (post.builds[b.id]) continue;
    const status = finishedNow.get(b.id);
    // A finished build tainted and pruned in one transition: remember the taint.
    if (b.status !== 'queued' && b.status !== 'in_pipeline') {
      if (status === 'tainted') b.status = status;
      continue;
    }
    if (!status) fail('no build lost (only finished builds are pruned)', b);
    b.status = status;
  }
  for (const b of Object.values(post.builds)) h.builds.set(b.id, { ...b });
  checkLiftThreshold(h, post);
  checkPruneKeepsTargets(h, pre, post);
}

/** A rollback's hold lifts only for a build newer than every build ever tainted (the threshold never drops). */
function checkLiftThreshold(h: History, post: PipelineState): void {
  const lift = post.hold?.liftOnBuildNewerThan;
  if (lift === undefined) return;
  for (const b of h.builds.values()) {
    if (b.status === 'tainted' && b.seq > lift) fail('a rollback hold waits for a build newer than every tainted build', { hold: post.hold, tainted: b });
  }
}

function checkIds(h: History, effects: Effect[]): void {
  for (const e of effects) {
    if (e.type === 'decision') {
      if (h.decisionIds.has(e.decision.id)) fail('decision ids are unique', e.decision);
      h.decisionIds.add(e.decision.id);
    } else if (e.attempt === 1) {
      if (h.stepKeys.has(e.request.key)) fail('a new step gets a new key', e.request);
      h.stepKeys.add(e.request.key);
    }
  }
}

function checkPersonHold(pre: PipelineState, obs: Observation, post: PipelineState): void {
  const h = pre.hold;
  if (!h || obs.type === 'resume') return;
  if (h.kind === 'stop' && post.hold?.kind !== 'stop') fail('a stop lasts until a resume', { pre: h, post: post.hold });
  if (h.actor.kind === 'person' && !(post.hold && (post.hold.actor.kind === 'person' || post.hold.kind === 'stop'))) {
    fail("a person's hold lasts until a resume", { pre: h, post: post.hold });
  }
}

function checkEffects(h: History, pre: PipelineState, obs: Observation, post: PipelineState, effects: Effect[], now: number): void {
  for (const e of effects) {
    if (e.type === 'decision' && (e.decision.kind === 'promote' || e.decision.kind === 'complete')) checkGate(pre, obs, post, e.decision.buildId!, now);
    if (e.type === 'decision' && e.decision.kind === 'promote') {
      if (post.hold) fail('no promotion while held', { decision: e.decision, hold: post.hold });
      const b = post.builds[e.decision.buildId!];
      const to = post.slots.findIndex((s) => s.stage === e.decision.stage);
      if (to > 0 && (b.bakedThrough ?? -1) < to - 1) fail('no promotion without a finished bake', { build: b, to });
      if (to > 0 && Object.keys(post.slots[to - 1].blocks).length > 0) fail('no promotion out of a blocked stage', post.slots[to - 1]);
      if (pre.builds[b.id]?.status === 'tainted') fail('a tainted build never moves again', b);
    }
    if (e.type === 'decision' && e.decision.kind === 'resume' && e.decision.actor.kind === 'bot' && obs.type === 'build_received') {
      const lifter = post.builds[obs.build.id];
      for (const b of h.builds.values()) {
        const status = post.builds[b.id]?.status ?? b.status;
        if (status === 'tainted' && b.seq >= lifter.seq) fail('a rollback hold lifts only for a build newer than every tainted build', { lifter, tainted: b });
      }
    }
    if (e.type !== 'deploy') continue;
    const r = e.request;
    if (r.kind === 'deploy' && post.hold?.kind === 'stop') fail('no deploy while stopped', r);
    if (r.targetBuildId && post.builds[r.targetBuildId]?.status === 'tainted') fail('no step heads for a tainted build', r);
    if (obs.type === 'judged_bad' && r.kind === 'rollback' && e.attempt === 1) checkRollbackTarget(h, pre, post, obs.buildId, r.stage, r.targetBuildId);
  }
}

/**
 * With a gate required, a build leaves stage k (promote to k+1, or complete from the last stage) only
 * on a pass for it and that stage, evaluated at or after its bake ended, recorded in this transition.
 */
function checkGate(pre: PipelineState, obs: Observation, post: PipelineState, buildId: string, now: number): void {
  if (!post.gateRequired) return;
  const k = pre.slots.findIndex((sl) => sl.buildId === buildId);
  if (k < 0) return; // entering the first stage from the queue: no gate
  const slot = pre.slots[k];
  const viaObs = obs.type === 'gate_verdict' && obs.buildId === buildId && obs.stage === slot.stage && obs.verdict === 'pass' && slot.bakeEndedAt !== undefined && obs.evaluatedAt >= slot.bakeEndedAt;
  const g = slot.gate;
  const kept = g?.buildId === buildId && g.verdict === 'pass' && g.recordedAt === now && slot.bakeEndedAt !== undefined && g.evaluatedAt >= slot.bakeEndedAt;
  if (!viaObs && !kept) fail('no promotion without a passing gate evaluated after the bake', { buildId, slot, obs });
}

/** The target is the newest untainted build older than the judged one that baked in that stage. */
function checkRollbackTarget(h: History, pre: PipelineState, post: PipelineState, badId: string, stage: string, target: string | null): void {
  const k = pre.slots.findIndex((s) => s.stage === stage);
  const best = expectedTarget(h, pre.builds[badId].seq, k);
  // A target still in the state is always found; `checkPruneKeepsTargets` sees that pruning keeps it
  // for the builds it keeps for themselves. Others (a late build, a target's target) may roll back further.
  const exact = best === undefined || pre.builds[best.id] !== undefined;
  if ((best?.id ?? null) !== target && exact) fail('rollback target is the newest good older build', { badId, stage, target, expected: best?.id });
  if (target && post.builds[target]?.status === 'tainted') fail('rollback target is untainted', { target });
}

/** The newest untainted build ever seen older than `seq` that baked through stage `k`. */
function expectedTarget(h: History, seq: number, k: number): BuildState | undefined {
  let best: BuildState | undefined;
  for (const b of h.builds.values()) {
    if (b.seq >= seq || b.status === 'tainted' || (b.bakedThrough ?? -1) < k) continue;
    if (!best || b.seq > best.seq) best = b;
  }
  return best;
}

/** Pruning never drops the rollback target (on any stage) of a build it keeps for itself. */
function checkPruneKeepsTargets(h: History, pre: PipelineState, post: PipelineState): void {
  for (const b of Object.values(post.builds)) {
    if (b.status === 'tainted' || !primaryKept(post, b.id)) continue;
    for (let k = 0; k < post.slots.length; k++) {
      const t = expectedTarget(h, b.seq, k);
      if (t && pre.builds[t.id] && !post.builds[t.id]) fail('pruning keeps the rollback target of every kept build', { build: b.id, stage: k, target: t.id });
    }
  }
}

/**
 * Is `id` waiting, in the pipeline, the target of a deploy step, or among the newest `keepFinished`
 * finished builds of `s`? (A finished build that a stage runs again, as its last good build or a
 * rollback's target, may have become one after its own target was pruned: a rollback of the build
 * after it makes it so. prune.ts keeps one level of targets, not the chain.)
 */
function primaryKept(s: PipelineState, id: string): boolean {
  const b = s.builds[id];
  if (b.status === 'queued' || b.status === 'in_pipeline' || activeIds(s).has(id)) return true;
  const finished = Object.values(s.builds).filter((x) => x.status !== 'queued' && x.status !== 'in_pipeline');
  const newer = finished.filter((x) => x.seq > b.seq).length;
  return newer < (s.keepFinished ?? 1000);
}

/** Builds that deploy steps (not rollbacks) head for. */
function activeIds(s: PipelineState): Set<string> {
  const ids = new Set<string>();
  const requests = [...Object.values(s.inflight), ...Object.values(s.retrying ?? {})].map((e) => e.request);
  for (const slot of s.slots) if (slot.failed) requests.push(slot.failed.request);
  for (const r of requests) if (r.kind === 'deploy' && r.targetBuildId) ids.add(r.targetBuildId);
  return ids;
}

/** Rules about one state on its own. */
export function checkState(s: PipelineState): void {
  const steps = [...Object.values(s.inflight).map((e) => e.request), ...Object.values(s.retrying ?? {}).map((e) => e.request)];
  const perStage = new Map<string, number>();
  for (const r of steps) perStage.set(r.stage, (perStage.get(r.stage) ?? 0) + 1);
  for (const [stage, n] of perStage) if (n > 1) fail('at most one step per stage', { stage, steps: steps.filter((r) => r.stage === stage) });
  for (const slot of s.slots) {
    if (slot.stepKey && !steps.some((r) => r.key === slot.stepKey)) fail('a stage step is in flight or retrying', slot);
    if (slot.phase === 'failed' && !s.hold) fail('a failed stage means a hold', slot);
    if (slot.failed?.request.targetBuildId && s.builds[slot.failed.request.targetBuildId]?.status === 'tainted') {
      fail('no stage heads for a tainted build', slot);
    }
  }
  for (const r of steps) if (r.targetBuildId && s.builds[r.targetBuildId]?.status === 'tainted') fail('no step heads for a tainted build', r);
  checkPlacement(s);
}

/** Every build is exactly where its status says; occupants are strictly older along the pipeline. */
function checkPlacement(s: PipelineState): void {
  const occupants = s.slots.map((sl) => sl.buildId);
  for (const b of Object.values(s.builds)) {
    const inQueue = s.queue.includes(b.id);
    const slots = occupants.filter((id) => id === b.id).length;
    if ((b.status === 'queued') !== inQueue) fail('queued builds are exactly the queue', b);
    if (b.status === 'in_pipeline' && slots !== 1) fail('a build in the pipeline occupies exactly one stage', { b, occupants });
    if (b.status !== 'in_pipeline' && slots > 0) fail('only builds in the pipeline occupy stages', { b, occupants });
  }
  for (const id of [...occupants, ...s.queue]) if (id && !s.builds[id]) fail('no build lost', { id });
  let prev = Infinity;
  for (const id of occupants) {
    if (!id) continue;
    const seq = s.builds[id].seq;
    if (seq >= prev) fail('occupants are strictly older along the pipeline', occupants);
    prev = seq;
  }
}

/** Liveness: after the run everything has finished (completed, superseded or tainted) and nothing is in flight. */
export function checkDrained(h: History, s: PipelineState): void {
  for (const b of h.builds.values()) {
    const now = s.builds[b.id] ?? b;
    if (now.status === 'queued' || now.status === 'in_pipeline') fail('every build ends completed, superseded or tainted', { build: now, slots: s.slots, hold: s.hold });
  }
  if (Object.keys(s.inflight).length > 0 || Object.keys(s.retrying ?? {}).length > 0) fail('nothing in flight after draining', s.inflight);
}
