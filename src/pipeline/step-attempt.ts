import type { Clock } from '../clock/clock.js';
import { asReleasebotError } from '../domain/errors.js';
import type { DeployRequest, Deployer } from './deployer.js';
import type { StepResult } from './result-inbox.js';
import type { RunnerWork } from './runner-work.js';

export interface StepAttemptDeps {
  deployer: Deployer;
  clock: Clock;
  log?: (line: string) => void;
  work: RunnerWork;
  /** The runner is closed: it stands for a dead process. */
  closed(): boolean;
  /** Retries the policy allows after a failed attempt. */
  retries(): number;
}

/**
 * One attempt of a deploy step: run the deployer under the step's signal (time inside the deployer
 * does not count as busy for `settle()`: a step may wait on the clock), call `ended` once it is
 * done, and describe how it ended. Undefined when the runner closed meanwhile: nothing is recorded,
 * and the next start performs the step again.
 */
export async function attemptStep(d: StepAttemptDeps, req: DeployRequest, attempt: number, signal: AbortSignal, ended: () => void): Promise<StepResult | undefined> {
  let error: string | undefined;
  if (!signal.aborted && !d.closed()) {
    d.work.end();
    try {
      await d.deployer.deploy(req, signal);
    } catch (e) {
      error = asReleasebotError(e).message;
    } finally {
      d.work.begin();
    }
  } else error = 'cancelled before it started';
  ended();
  if (d.closed()) return undefined;
  if (signal.aborted) error = `cancelled (a rollback replaced it): ${error ?? 'it had finished'}`;
  const final = error === undefined || signal.aborted || attempt > d.retries();
  if (error === undefined) d.log?.(`${req.kind} ${req.key} succeeded`);
  const result: StepResult = { req, attempt, final, endedAt: d.clock.now() };
  if (error !== undefined) result.error = error;
  return result;
}
