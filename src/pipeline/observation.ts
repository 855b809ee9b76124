import type { GateVerdict } from '../domain/gate.js';
import type { Actor } from '../domain/pipeline.js';

/**
 * Everything the orchestrator reacts to. The reducer (`step`) is the only place these change state;
 * the runner turns API calls, deployer results, monitor verdicts and its clock into observations.
 */
export type Observation =
  /** CI produced a build. `seq` orders builds (higher = newer, contains older commits); default: arrival order. */
  | { type: 'build_received'; build: { id: string; seq?: number } }
  /** Time passed: bakes may end, retries may be due, promotions may happen. */
  | { type: 'tick' }
  /** The deploy or rollback step with idempotency key `key` succeeded. */
  | { type: 'deploy_succeeded'; key: string }
  /** The step failed; `retryable` false skips the remaining retries and holds at once. */
  | { type: 'deploy_failed'; key: string; error: string; retryable: boolean }
  /** Stop promotions (steps in flight and their retries continue). */
  | { type: 'hold'; actor: Actor; reason: string }
  /** Stop promotions and new attempts of deploy steps; only rollbacks still run. */
  | { type: 'stop'; actor: Actor; reason: string }
  /** Lift a hold or stop; steps that failed for good are tried again. */
  | { type: 'resume'; actor: Actor; reason: string }
  /** The build in `stage` may not leave it while `source` (e.g. an open event, missing data) blocks it. */
  | { type: 'block'; stage: string; source: string; reason: string }
  | { type: 'unblock'; stage: string; source: string }
  /**
   * The monitor's promotion-gate verdict for `buildId` in `stage`, from an evaluation that started at
   * `evaluatedAt` (its evidence is the stored GateRecord `recordId`). Only a `pass` evaluated after the
   * bake ended lets the build leave the stage (see gate.ts).
   */
  | { type: 'gate_verdict'; buildId: string; stage: string; verdict: GateVerdict; evaluatedAt: number; reason: string; recordId?: string }
  /** `buildId` is bad (seen in `stage`): roll back it and every newer build, then hold. */
  | {
      type: 'judged_bad';
      buildId: string;
      stage: string;
      actor: Actor;
      reason: string;
      evidence?: Record<string, unknown>;
    };

export type ObservationType = Observation['type'];
