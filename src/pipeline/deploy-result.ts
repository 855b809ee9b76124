import { ORCHESTRATOR, type Draft } from './draft.js';
import { botMayReplace } from './hold-rules.js';

/**
 * A step finished. A deploy puts the build into its bake; a rollback frees the stage at once
 * (no bake: rollback is the fastest path). Results for keys no longer in flight (a rollback
 * replaced the step, or the result arrived twice) are ignored.
 */
export function deploySucceeded(d: Draft, key: string): void {
  const entry = d.s.inflight[key];
  if (!entry) return;
  delete d.s.inflight[key];
  const k = d.stageIndex(entry.request.stage);
  const slot = d.s.slots[k];
  if (!slot || slot.stepKey !== key) return;
  delete slot.stepKey;
  slot.runningBuildId = entry.request.targetBuildId;
  if (entry.request.kind === 'rollback') {
    d.setPhase(slot, 'idle');
    return;
  }
  d.setPhase(slot, 'baking');
  slot.bakeUntil = d.now + d.s.stages[k].bakeSeconds * 1000;
}

/**
 * A step failed. Retryable failures are tried again after a doubling backoff until the retries
 * run out; then (or at once, when not retryable) the stage is marked failed and the pipeline holds
 * with the reason, so a failing deploy is never silently skipped.
 */
export function deployFailed(d: Draft, key: string, error: string, retryable: boolean): void {
  const entry = d.s.inflight[key];
  if (!entry) return;
  delete d.s.inflight[key];
  const { request, attempt } = entry;
  const policy = d.retryPolicy();
  const maxAttempts = policy.retries + 1;
  const where = { buildId: request.buildId, stage: request.stage };
  d.decide('deploy_failed', ORCHESTRATOR, `${request.kind} attempt ${attempt}/${maxAttempts} failed: ${error}`, where);
  const slot = d.s.slots[d.stageIndex(request.stage)];
  if (!slot || slot.stepKey !== key) return;
  if (retryable && attempt < maxAttempts) {
    const due = d.now + policy.backoffSeconds * 1000 * 2 ** (attempt - 1);
    d.s.retrying ??= {};
    d.s.retrying[key] = { request, attempt: attempt + 1, due, error };
    return;
  }
  delete slot.stepKey;
  slot.failed = { request, error };
  d.setPhase(slot, 'failed');
  const reason = `${request.kind} of ${request.targetBuildId ?? 'nothing'} to ${request.stage} failed after ${attempt} attempt(s): ${error}`;
  // A stop or a person's hold already holds; keep it (and its actor): only a resume may lift it.
  if (botMayReplace(d.s.hold)) d.s.hold = { actor: ORCHESTRATOR, reason, at: d.now, kind: 'hold' };
  d.decide('hold', ORCHESTRATOR, reason, where);
}

/** After a resume, stages whose step failed for good try again with a fresh idempotency key. */
export function retryFailedSteps(d: Draft): void {
  d.s.slots.forEach((slot, k) => {
    if (slot.phase !== 'failed' || !slot.failed) return;
    const { request } = slot.failed;
    delete slot.failed;
    d.setPhase(slot, request.kind === 'rollback' ? 'rolling_back' : 'deploying');
    d.startStep(request.kind, request.buildId, request.targetBuildId, k);
  });
}
