import type { Actor } from '../domain/pipeline.js';
import { ORCHESTRATOR, type Draft } from './draft.js';
import { rollbackMayReplace } from './hold-rules.js';
import type { BuildState, PipelineState, SlotState } from './state.js';

/** What `judged_bad` carries. */
export interface BadJudgement {
  buildId: string;
  stage: string;
  actor: Actor;
  reason: string;
  evidence?: Record<string, unknown>;
}

/**
 * The last build known good on stage `k` that is older than `belowSeq`: the newest untainted build
 * that finished its bake there (builds move in order, so "good in k" means good in every earlier stage too).
 * Null when no such build is known; the deployer decides what "nothing" means.
 */
export function lastGoodFor(s: PipelineState, k: number, belowSeq: number): string | null {
  let best: BuildState | undefined;
  for (const b of Object.values(s.builds)) {
    if (b.seq >= belowSeq || b.status === 'tainted' || (b.bakedThrough ?? -1) < k) continue;
    if (!best || b.seq > best.seq) best = b;
  }
  return best ? best.id : null;
}

/**
 * Roll back `bad` and everything newer: every stage whose occupant, running build, or current step's
 * target is `bad` or newer goes back to its last good build (bake skipped); those builds and newer
 * waiting ones are tainted and leave the pipeline; the pipeline holds until a newer build arrives.
 * Rollbacks are issued before anything else and ignore holds. A second judgement of a tainted build is a no-op.
 */
export function rollback(d: Draft, j: BadJudgement): void {
  const bad = d.build(j.buildId);
  if (!bad || bad.status === 'tainted') return;
  d.decide('rollback', j.actor, j.reason, { buildId: bad.id, stage: j.stage, evidence: j.evidence });
  d.s.slots.forEach((slot, k) => {
    if (slotReaches(d, slot, bad.seq)) rollBackSlot(d, k, bad);
  });
  const tainted = taintFrom(d, bad, j.reason);
  for (const slot of d.s.slots) slot.lastGoodBuildId = lastGoodFor(d.s, d.stageIndex(slot.stage), Infinity);
  holdAfterRollback(d, bad, Math.max(...tainted.map((b) => b.seq)), j);
}

/** Does stage `slot` run, deploy or head for a build with seq >= `seq`? */
function slotReaches(d: Draft, slot: SlotState, seq: number): boolean {
  const ids = [slot.buildId, slot.runningBuildId ?? null, slot.failed?.request.targetBuildId ?? null];
  const step = slot.stepKey ? (d.s.inflight[slot.stepKey] ?? d.s.retrying?.[slot.stepKey]) : undefined;
  if (step) ids.push(step.request.targetBuildId);
  return ids.some((id) => (d.build(id)?.seq ?? -Infinity) >= seq);
}

function rollBackSlot(d: Draft, k: number, bad: BuildState): void {
  const badSeq = bad.seq;
  const slot = d.s.slots[k];
  d.cancelStep(slot.stepKey);
  delete slot.failed;
  // Name the newest bad build the stage runs or was getting, so the trace shows what was undone.
  const from = [slot.buildId, slot.runningBuildId ?? null]
    .map((id) => d.build(id))
    .filter((b): b is BuildState => !!b && b.seq >= badSeq)
    .sort((a, b) => b.seq - a.seq)[0];
  const target = lastGoodFor(d.s, k, badSeq);
  slot.buildId = null;
  d.setPhase(slot, 'rolling_back');
  d.startStep('rollback', from?.id ?? bad.id, target, k);
}

function taintFrom(d: Draft, bad: BuildState, reason: string): BuildState[] {
  const hit = Object.values(d.s.builds)
    .filter((b) => b.seq >= bad.seq && (b.status === 'queued' || b.status === 'in_pipeline' || b.status === 'completed' || b.id === bad.id))
    .sort((a, b) => a.seq - b.seq);
  for (const read of hit) {
    const b = d.mut(read.id)!;
    b.status = 'tainted';
    b.reason = b.id === bad.id ? reason : `contains the commits of ${bad.id}, which was rolled back: ${reason}`;
    d.decide('taint', ORCHESTRATOR, b.reason, { buildId: b.id });
  }
  d.s.queue = d.s.queue.filter((id) => d.s.builds[id].status === 'queued');
  return hit;
}

/**
 * Hold until a build newer than every tainted build arrives. A stop, a person's hold, a monitor's hold
 * and a failed stage's hold stay as they are (`rollbackMayReplace`): the auto-lift must not undo them.
 * The threshold never goes down: a second rollback of an older build keeps the first one's newer taint.
 */
function holdAfterRollback(d: Draft, bad: BuildState, maxSeq: number, j: BadJudgement): void {
  if (!rollbackMayReplace(d)) return;
  // Newer than every tainted build, also those of an earlier rollback whose hold a failure hold replaced.
  let lift = Math.max(maxSeq, bad.seq, d.s.hold?.liftOnBuildNewerThan ?? -Infinity);
  for (const b of Object.values(d.s.builds)) if (b.status === 'tainted' && b.seq > lift) lift = b.seq;
  const reason = `rolled back ${bad.id} (${j.reason}); holding until a build newer than #${lift} arrives or a person resumes`;
  d.s.hold = { actor: ORCHESTRATOR, reason, at: d.now, kind: 'hold', liftOnBuildNewerThan: lift };
  d.decide('hold', ORCHESTRATOR, reason, { buildId: bad.id, stage: j.stage });
}
