import type { Actor, Decision, StageDef } from '../domain/pipeline.js';
import type { DeployRequest } from './deployer.js';
import type { SlotGate } from './gate.js';

/** Where one build stands. */
export interface BuildState {
  id: string;
  /** Arrival order; a higher seq contains every lower seq's commits (one main branch). */
  seq: number;
  status: 'queued' | 'in_pipeline' | 'superseded' | 'tainted' | 'completed' | 'rolled_back';
  /** Index of the stage it occupies (or last occupied); -1 before the first stage. */
  stageIndex: number;
  /** Older builds this build superseded in the queue (their PRs ride along). */
  includes: string[];
  /** The build that superseded this one, when status is 'superseded'. */
  includedIn?: string;
  /** Why it is tainted / rolled back. */
  reason?: string;
  /** Highest stage index where it finished its bake unblocked (-1 or absent: none). A build good in k was good in every earlier stage. */
  bakedThrough?: number;
  /** When the orchestrator first saw it (orchestrator clock, ms). */
  receivedAt?: number;
}

/** One stage of the pipeline and what runs there. */
export interface SlotState {
  stage: string;
  /** Build occupying the stage (deploying, baking, or waiting for the next stage), or null. */
  buildId: string | null;
  phase: 'idle' | 'deploying' | 'baking' | 'ready' | 'rolling_back' | 'failed';
  /** When the current phase started. */
  since: number;
  /** When baking ends (phase 'baking'). */
  bakeUntil?: number;
  /** The last build that completed its bake here without being judged bad. */
  lastGoodBuildId: string | null;
  /** Reasons the build may not leave this stage yet (e.g. an open event, missing data), by source. */
  blocks: Record<string, string>;
  /** The build this stage's fleet runs after its last successful step (the occupant may have moved on). */
  runningBuildId?: string | null;
  /** Idempotency key of the step in flight or waiting for a retry here. */
  stepKey?: string;
  /** Phase 'failed': the step that exhausted its retries; re-issued (with a new key) on resume. */
  failed?: { request: DeployRequest; error: string };
  /** When the occupant's bake ended (phase 'ready'); a gate verdict must be evaluated at or after it. */
  bakeEndedAt?: number;
  /** The latest gate verdict reported for the occupant (see `gate.ts`). */
  gate?: SlotGate;
  /**
   * Since when the occupant has been held here past its bake by its own evidence: a block (an open
   * event, missing data) at or after the planned bake end, or a gate `breach`. A gate `pass` on an
   * unblocked stage ends it (an `inconclusive` does not); leaving the stage clears it. The monitor
   * escalates a long hold (`policy.escalateAfter`).
   */
  heldSince?: number;
}

/** Something (an open event, missing data) keeps the stage's build from leaving. */
export function isBlocked(slot: SlotState): boolean {
  return Object.keys(slot.blocks).length > 0;
}

/** A pipeline-wide hold (by a person or the bot). */
export interface HoldState {
  actor: Actor;
  reason: string;
  at: number;
  /** 'stop' halts deploys in flight from starting new steps; 'hold' only stops promotions. */
  kind: 'hold' | 'stop';
  /** Set after a rollback: the hold lifts by itself when a build newer than this seq arrives. */
  liftOnBuildNewerThan?: number;
}

/** An effect the runner must perform; persisted before it is performed. */
export type Effect =
  | { type: 'deploy'; request: DeployRequest; attempt: number }
  | { type: 'decision'; decision: Decision };

/** The orchestrator's whole state: a plain JSON value the store persists after every transition. */
export interface PipelineState {
  stages: StageDef[];
  nextSeq: number;
  builds: Record<string, BuildState>;
  /** Waiting builds, oldest first. */
  queue: string[];
  slots: SlotState[];
  hold: HoldState | null;
  /** Deploy effects started and not yet finished, by idempotency key. */
  inflight: Record<string, { type: 'deploy'; request: DeployRequest; attempt: number; startedAt: number }>;
  /** Counter for idempotency keys and decision ids. */
  nextId: number;
  /** Deploy retry policy (the runner sets it from the deployer config); default 2 retries, 5 s backoff. */
  retry?: RetryPolicy;
  /** How many finished builds the state keeps (default KEEP_FINISHED_BUILDS, 1,000); small values are for tests. */
  keepFinished?: number;
  /** Failed steps waiting for their backoff to pass before the next attempt, by idempotency key. */
  retrying?: Record<string, { request: DeployRequest; attempt: number; due: number; error: string }>;
  /** A build leaves a stage only when a passing gate verdict, evaluated after its bake, arrives (set when a monitor watches). */
  gateRequired?: boolean;
}

/** How often a failed deploy step is retried, and how long to wait (doubling) between attempts. */
export interface RetryPolicy {
  retries: number;
  backoffSeconds: number;
}
