import type { DeployStep } from '../domain/pipeline.js';
import type { Store } from '../store/store.js';
import type { DeployRequest } from './deployer.js';

/**
 * Deploy tracing: one DeployStep per idempotency key, started at its first attempt and ended when it
 * succeeds, fails for good, or is cancelled by a rollback. Kept in memory and written through to the store.
 */
export class StepTrace {
  private readonly steps = new Map<string, DeployStep>();

  constructor(private readonly store: Store) {}

  /** The stored record of `key`, if any (after a restart the memory is empty). */
  async get(req: DeployRequest): Promise<DeployStep | undefined> {
    const known = this.steps.get(req.key);
    if (known) return known;
    const stored = (await this.store.listSteps({ buildId: req.buildId })).find((s) => s.key === req.key);
    if (stored) this.steps.set(req.key, stored);
    return stored;
  }

  /** The trace record of an attempt that starts (the first one opens the step); written with its transition. */
  async opening(req: DeployRequest, attempt: number, now: number): Promise<DeployStep> {
    const prev = await this.get(req);
    return prev
      ? { ...prev, attempts: attempt }
      : { key: req.key, buildId: req.buildId, stage: req.stage, kind: req.kind, targetBuildId: req.targetBuildId, startedAt: now, attempts: attempt };
  }

  /** Records the store now has (the transition that carried them committed). */
  remember(steps: DeployStep[]): void {
    for (const s of steps) this.steps.set(s.key, s);
  }

  /** An attempt ended; `final` closes the step (success, last failure, or cancelled). */
  async ended(req: DeployRequest, attempt: number, now: number, error: string | undefined, final: boolean): Promise<void> {
    const prev = await this.get(req);
    if (!prev) return;
    const step: DeployStep = { ...prev, attempts: attempt };
    if (error === undefined) delete step.error;
    else step.error = error;
    if (final || error === undefined) {
      step.endedAt = now;
      step.outcome = error === undefined ? 'succeeded' : 'failed';
    }
    await this.put(step);
  }

  private async put(step: DeployStep): Promise<void> {
    this.steps.set(step.key, step);
    await this.store.upsertStep(step);
  }
}
