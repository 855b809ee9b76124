import type { ErrorCode } from './errors.js';
import type { Actor } from './pipeline.js';

/**
 * A request to the pipeline that a follower replica stores for the leader to apply (the command
 * inbox): what a person asked for on any replica, or a build a follower took in.
 */
export type PipelineCommand =
  | { kind: 'hold' | 'stop' | 'resume'; actor: Actor; reason: string }
  | { kind: 'rollback'; buildId: string; actor: Actor; reason: string; evidence?: Record<string, unknown> }
  | { kind: 'build'; buildId: string };

/** The leader's answer: the value the call returns on the leader, or the error it throws there. */
export type CommandOutcome = { ok: true; value?: unknown } | { ok: false; code: ErrorCode; message: string };

export interface StoredCommand {
  id: number;
  command: PipelineCommand;
  status: 'pending' | 'done' | 'cancelled';
  outcome?: CommandOutcome;
  createdAt: number;
}
