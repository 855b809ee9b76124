import type { Build } from '../domain/build.js';
import type { Actor } from '../domain/pipeline.js';
import type { PipelineState } from './state.js';
import type { RunnerStatus } from './runner-deps.js';

/**
 * What people (Slack buttons, the web UI, the API) and the bot's monitor may ask of the pipeline.
 * Slack and the UI share this one implementation, so an action means the same wherever it is clicked.
 * Every call is logged in the decision log; unknown builds reject with NOT_FOUND.
 */
export interface PipelineActions {
  hold(actor: Actor, reason: string): Promise<void>;
  /** Stop: no new deploy steps start until a person resumes. */
  stop(actor: Actor, reason: string): Promise<void>;
  resume(actor: Actor, reason: string): Promise<void>;
  /**
   * Roll back `buildId` everywhere it (or a newer build containing it) runs.
   * Idempotent: asking twice rolls back once; returns false when it was already rolled back.
   */
  rollback(buildId: string, actor: Actor, reason: string, evidence?: Record<string, unknown>): Promise<boolean>;
}

/** The pipeline as the API and UI see it. */
export interface PipelineControl extends PipelineActions {
  submitBuild(build: Build): Promise<'created' | 'exists'>;
  /** Current state (a copy). */
  snapshot(): PipelineState;
  /** Called after every transition; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Store reachability, step results waiting for it, and the tick loop's last turn (health and readiness). */
  status?(): RunnerStatus;
}
