/** One deploy stage, in pipeline order. Stages are a single ordered list; each names its environment. */
export interface StageDef {
  name: string;
  environment: string;
  /** Deploy tier the stage deploys to (staging, dogfood, canary, production). */
  tier: string;
  /** Availability zones the stage covers. */
  azs: string[];
  /** Share of the tier's fleet, 0 < percent <= 100. */
  percent: number;
  /** How long a build must bake in this stage, with nothing blocking, before it moves on. */
  bakeSeconds: number;
}

/** Who made a decision: the bot itself or a named person. */
export interface Actor {
  kind: 'bot' | 'person';
  /** Bot component ("orchestrator", "monitor") or the person's id (Slack user id, UI user). */
  id: string;
}

export type DecisionKind = 'promote' | 'enqueue' | 'supersede' | 'hold' | 'resume' | 'stop' | 'rollback' | 'taint' | 'deploy_failed' | 'complete' | 'would_rollback' | 'would_hold';

/** An entry of the decision log: every decision with who made it, why and when. */
export interface Decision {
  /** Stable id (idempotent inserts). */
  id: string;
  at: number;
  kind: DecisionKind;
  actor: Actor;
  reason: string;
  buildId?: string;
  stage?: string;
  /** Evidence behind the decision (checks, series, numbers), free-form JSON. */
  evidence?: Record<string, unknown>;
}

/** One deploy or rollback step, for deploy tracing (waterfalls, dead time). */
export interface DeployStep {
  /** The effect's idempotency key. */
  key: string;
  buildId: string;
  stage: string;
  kind: 'deploy' | 'rollback';
  /** Build that the stage ends up running (for rollback: the last good build). */
  targetBuildId: string | null;
  startedAt: number;
  endedAt?: number;
  outcome?: 'succeeded' | 'failed';
  attempts: number;
  error?: string;
}
