import { ORCHESTRATOR, type Draft } from './draft.js';
import { gateCheck, type GateCheck } from './gate.js';
import { isBlocked, type BuildState, type SlotState } from './state.js';

/**
 * Move the pipeline forward as far as it can go right now: due retries fire, bakes end,
 * builds complete and promote (last stage first, so a whole chain can move in one step),
 * then the first stage takes the newest waiting build.
 */
export function advance(d: Draft): void {
  fireDueRetries(d);
  for (let k = d.s.slots.length - 1; k >= 0; k--) advanceSlot(d, k);
  admitFromQueue(d);
}

/** A stage takes a new build only when nobody occupies it and no step (e.g. a rollback) runs there. */
export function isFree(slot: SlotState): boolean {
  return slot.buildId === null && slot.phase === 'idle';
}

function fireDueRetries(d: Draft): void {
  const retrying = d.s.retrying ?? {};
  for (const [key, r] of Object.entries(retrying)) {
    if (r.due > d.now) continue;
    // A stop halts new attempts of deploys; rollbacks always go ahead (the fastest path out of trouble).
    if (r.request.kind === 'deploy' && d.s.hold?.kind === 'stop') continue;
    delete retrying[key];
    d.issue(r.request, r.attempt);
  }
}

function advanceSlot(d: Draft, k: number): void {
  const slot = d.s.slots[k];
  const build = d.build(slot.buildId);
  if (!build) return;
  if (slot.phase === 'baking' && d.now >= (slot.bakeUntil ?? 0) && !isBlocked(slot)) finishBake(d, k, build);
  // Held past the bake by a block (an open event, missing data): the monitor escalates a long hold.
  const pastBake = slot.phase === 'ready' || (slot.phase === 'baking' && d.now >= (slot.bakeUntil ?? Infinity));
  if (pastBake && isBlocked(slot)) slot.heldSince ??= d.now;
  // A block that arrives after the bake still keeps the build where it is.
  if (slot.phase !== 'ready' || isBlocked(slot)) return;
  const gate = gateCheck(d.s, slot, d.now);
  if (!gate.open) return;
  if (k === d.s.slots.length - 1) {
    complete(d, k, build, gate);
    return;
  }
  if (d.s.hold) return;
  if (isFree(d.s.slots[k + 1])) promote(d, k, build, gate);
}

function finishBake(d: Draft, k: number, read: BuildState): void {
  const slot = d.s.slots[k];
  const build = d.mut(read.id)!;
  d.setPhase(slot, 'ready');
  slot.bakeEndedAt = d.now;
  build.bakedThrough = Math.max(build.bakedThrough ?? -1, k);
  slot.lastGoodBuildId = newer(d, slot.lastGoodBuildId, build.id);
}

/** The newer of two builds (by seq); null counts as oldest. */
function newer(d: Draft, a: string | null, b: string): string {
  const ba = d.build(a);
  return ba && ba.seq > d.s.builds[b].seq ? ba.id : b;
}

/** Finishing the last stage: the build is good everywhere. Not a promotion, so a hold does not stop it. */
function complete(d: Draft, k: number, read: BuildState, gate: GateCheck): void {
  const slot = d.s.slots[k];
  const build = d.mut(read.id)!;
  build.status = 'completed';
  build.bakedThrough = k;
  slot.buildId = null;
  d.setPhase(slot, 'idle');
  for (const sl of d.s.slots) sl.lastGoodBuildId = newer(d, sl.lastGoodBuildId, build.id);
  d.decide('complete', ORCHESTRATOR, `finished the last stage ${slot.stage}; ${gate.why}`, { buildId: build.id, stage: slot.stage, ...gateEvidence(gate) });
}

function promote(d: Draft, k: number, read: BuildState, gate: GateCheck): void {
  const from = d.s.slots[k];
  const build = d.mut(read.id)!;
  const to = d.s.slots[k + 1];
  from.buildId = null;
  d.setPhase(from, 'idle');
  to.buildId = build.id;
  d.setPhase(to, 'deploying');
  build.stageIndex = k + 1;
  d.decide('promote', ORCHESTRATOR, `baked in ${from.stage} with nothing blocking; ${gate.why}; ${to.stage} is free`, {
    buildId: build.id,
    stage: to.stage,
    ...gateEvidence(gate),
  });
  d.startStep('deploy', build.id, build.id, k + 1);
}

/** Links the decision to the gate record it relied on. */
function gateEvidence(gate: GateCheck): { evidence?: Record<string, unknown> } {
  return gate.recordId === undefined ? {} : { evidence: { gateId: gate.recordId } };
}

/** The newest waiting build enters the first stage; the older waiting builds ride along in it. */
function admitFromQueue(d: Draft): void {
  const first = d.s.slots[0];
  if (d.s.hold || d.s.queue.length === 0 || !isFree(first)) return;
  const waiting = d.s.queue.map((id) => d.s.builds[id]).sort((a, b) => a.seq - b.seq);
  const newest = d.mut(waiting[waiting.length - 1].id)!;
  for (const old of waiting.slice(0, -1)) supersede(d, d.mut(old.id)!, newest, 'a newer build entered the pipeline');
  d.s.queue = [];
  newest.status = 'in_pipeline';
  newest.stageIndex = 0;
  first.buildId = newest.id;
  d.setPhase(first, 'deploying');
  d.decide('promote', ORCHESTRATOR, `entered the first stage ${first.stage}`, { buildId: newest.id, stage: first.stage });
  d.startStep('deploy', newest.id, newest.id, 0);
}

/** Record that `old` is included in `by` (one main branch: `by` contains its commits, its PRs ride along). Both must be the draft's own copies (`d.mut`). */
export function supersede(d: Draft, old: BuildState, by: BuildState, why: string): void {
  old.status = 'superseded';
  old.includedIn = by.id;
  by.includes = [...new Set([...by.includes, old.id, ...old.includes])];
  d.decide('supersede', ORCHESTRATOR, `${why}: included in ${by.id}`, { buildId: old.id });
}
