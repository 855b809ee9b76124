import type { GateVerdict } from '../domain/gate.js';
import type { Draft } from './draft.js';
import { isBlocked, type PipelineState, type SlotState } from './state.js';

/** The latest gate verdict the monitor reported for a stage's occupant (see `GateRecord` for the evidence). */
export interface SlotGate {
  buildId: string;
  verdict: GateVerdict;
  /** When the evaluation started; it counts only if this is at or after the bake ended. */
  evaluatedAt: number;
  reason: string;
  /** The stored `GateRecord` id, linked from the promote / complete decision. */
  recordId?: string;
  /** When the orchestrator recorded it: a pass opens the gate only in that transition (fresh evidence). */
  recordedAt?: number;
}

/** Whether the build in a ready slot may leave it, and the sentence the decision log gets. */
export interface GateCheck {
  open: boolean;
  why: string;
  recordId?: string;
}

/**
 * Record a gate verdict for (build, stage). Verdicts for a build that is not the stage's ready
 * occupant (still baking, moved on, rolled back, or a late report) are ignored; a newer verdict
 * replaces an older one.
 */
export function recordGate(d: Draft, g: SlotGate & { stage: string }): void {
  const slot = d.s.slots[d.stageIndex(g.stage)];
  // Only a ready occupant can use a verdict; one reported during the bake could not have seen its end.
  if (!slot || slot.buildId !== g.buildId || slot.phase !== 'ready') return;
  if (slot.gate && slot.gate.buildId === g.buildId && slot.gate.evaluatedAt > g.evaluatedAt) return;
  const gate: SlotGate = { buildId: g.buildId, verdict: g.verdict, evaluatedAt: g.evaluatedAt, reason: g.reason, recordedAt: d.now };
  if (g.recordId !== undefined) gate.recordId = g.recordId;
  // The hold past the bake (SlotState.heldSince): a breach starts it, a pass on an unblocked stage
  // ends it (with a block the build could not move on anyway), an inconclusive leaves it as it is.
  if (g.verdict === 'breach') slot.heldSince ??= g.evaluatedAt;
  else if (g.verdict === 'pass' && !isBlocked(slot)) delete slot.heldSince;
  slot.gate = gate;
}

/**
 * The promotion rule's gate condition. With a gate required (`state.gateRequired`, set when a
 * monitor watches the pipeline) a build leaves its stage only on a `pass` verdict for that build,
 * evaluated at or after the moment its bake ended, and only in the transition that records it (at
 * `now`): a pass kept while the next stage was busy is not used later, when the metrics may be gone;
 * the monitor evaluates ready builds again every tick. Anything else (no verdict yet, one from
 * before the bake ended, an older pass, inconclusive, breach) keeps it where it is. Without a gate,
 * the slot opens and the decision says so.
 */
export function gateCheck(s: PipelineState, slot: SlotState, now: number): GateCheck {
  if (!s.gateRequired) return { open: true, why: 'no promotion gate configured' };
  const g = slot.gate;
  if (!g || g.buildId !== slot.buildId) return { open: false, why: 'waiting for a gate evaluation after the bake' };
  if (slot.bakeEndedAt === undefined || g.evaluatedAt < slot.bakeEndedAt) {
    return { open: false, why: 'the last gate evaluation ran before the bake ended' };
  }
  const at = new Date(g.evaluatedAt).toISOString();
  if (g.verdict !== 'pass') return { open: false, why: `gate ${g.verdict} at ${at}: ${g.reason}` };
  if (g.recordedAt !== now) return { open: false, why: `waiting for a fresh gate pass (the last one, at ${at}, was not used when it arrived)` };
  const out: GateCheck = { open: true, why: `gate passed at ${at}: ${g.reason}` };
  if (g.recordId !== undefined) out.recordId = g.recordId;
  return out;
}

/** The slot left 'ready' (the build moved on, was rolled back, or deploys again): its bake end and verdict go. */
export function clearGate(slot: SlotState): void {
  delete slot.gate;
  delete slot.bakeEndedAt;
}
