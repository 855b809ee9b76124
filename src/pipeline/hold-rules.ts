import type { Draft } from './draft.js';
import type { HoldState } from './state.js';

/**
 * Who may replace a hold. A person's hold and any stop last until a resume: the bot (a deploy
 * failure, the monitor, a rollback's auto-lift hold) never replaces or weakens them.
 */
export function botMayReplace(hold: HoldState | null): boolean {
  return !hold || (hold.kind !== 'stop' && hold.actor.kind !== 'person');
}

/** Is some stage's step failed for good? Then the pipeline must stay held until a person resumes. */
export function anyStageFailed(d: Draft): boolean {
  return d.s.slots.some((sl) => sl.phase === 'failed');
}

/**
 * May a rollback put its self-lifting hold in place of the current one? Only over no hold, an earlier
 * rollback hold, or the orchestrator's own deploy-failure hold once no stage is failed any more (the
 * rollback replaced the failed step). A monitor's hold, a person's hold and any stop stay.
 */
export function rollbackMayReplace(d: Draft): boolean {
  const h = d.s.hold;
  if (!botMayReplace(h) || anyStageFailed(d)) return false;
  if (!h || h.liftOnBuildNewerThan !== undefined) return true;
  return h.actor.id === 'orchestrator';
}
