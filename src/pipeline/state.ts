import type { Actor, Decision, StageDef } from '../domain/pipeline.js';
import type { DeployRequest } from './deployer.js';

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
}
