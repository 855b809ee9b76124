import type { Build } from '../domain/build.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import type { DeployEvent } from '../domain/events.js';
import type { LeaseRow } from './lease.js';
import type { TransitionWrite } from './transition-write.js';

export type { Fence, TransitionWrite } from './transition-write.js';
export type { LeaseRow } from './lease.js';
import type { GateRecord } from '../domain/gate.js';
import type { CommandOutcome, PipelineCommand, StoredCommand } from '../domain/command.js';
import type { Fence as FenceT } from './transition-write.js';

/** A persisted outbox entry: one notification for one notifier. */
export interface OutboxEntry {
  id: number;
  /** Notifier name ("slack", "pagerduty", "console"). */
  target: string;
  /** Idempotency key: enqueueing the same target+key twice stores it once. */
  key: string;
  payload: unknown;
  attempts: number;
  nextAttemptAt: number;
  status: 'pending' | 'sent' | 'dead';
  lastError?: string;
}

/** An audit-log entry: who tried to do what, and whether they were allowed. */
export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target?: string;
  allowed: boolean;
  detail?: Record<string, unknown>;
}

/**
 * Persistence. One schema and migration set for SQLite and PostgreSQL (Kysely).
 * Every write is durable when the promise resolves.
 */
export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Insert a build; returns 'exists' (and changes nothing) if the id is known. */
  putBuild(build: Build): Promise<'created' | 'exists'>;
  getBuild(id: string): Promise<Build | undefined>;
  /** Newest accepted first. */
  listBuilds(opts?: { limit?: number }): Promise<Build[]>;

  /** The orchestrator's state snapshot (JSON), with a version for optimistic concurrency. */
  loadState(): Promise<{ version: number; state: unknown } | undefined>;
  /** Save a new snapshot; fails with CONFLICT unless the stored version is `expectedVersion` (0 = none yet). */
  saveState(state: unknown, expectedVersion: number): Promise<number>;

  /**
   * One orchestrator transition in one database transaction: decisions, deploy-step traces and the
   * new state are all stored or none is. Fails with CONFLICT (nothing written) when the stored state
   * version is not `expectedVersion`, when a decision id is already stored, or when `fence` no longer
   * holds its lease. Returns the new version.
   */
  commitTransition(t: TransitionWrite): Promise<number>;
  /** Whether the decision log names `buildId` (the orchestrator has taken the build in, even if its state pruned it). */
  hasDecisionFor(buildId: string): Promise<boolean>;
  /** A round trip to the database; rejects with STORE_FAILED when it is unreachable (readiness). */
  ping(): Promise<void>;
  /** Take or renew a lease (leader election); the lease with its fencing token if `holder` has it now. */
  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<LeaseRow | undefined>;
  /** Give a held lease up (clean shutdown). */
  releaseLease(name: string, holder: string): Promise<void>;
  /** The lease as stored (who holds it until when), or undefined. */
  readLease(name: string): Promise<LeaseRow | undefined>;
  /**
   * The leader's view of this store: every write checks `fence` in its own transaction and fails
   * with CONFLICT (details.fenceLost) once the lease moved; `onLost` is called then. Reads pass through.
   */
  fenced(fence: FenceT, onLost?: (e: Error) => void): Store;
  /** The stored state's version alone (cheap: followers poll it), undefined before the first save. */
  stateVersion(): Promise<number | undefined>;

  /** Command inbox (replicas): store a command for the leader; resolves with its id. */
  enqueueCommand(command: PipelineCommand, at: number): Promise<number>;
  /** Pending commands, oldest first. */
  pendingCommands(limit: number): Promise<StoredCommand[]>;
  getCommand(id: number): Promise<StoredCommand | undefined>;
  /** Record the leader's answer; false unless the command was still pending. */
  finishCommand(id: number, outcome: CommandOutcome): Promise<boolean>;
  /** Withdraw a command nobody took yet; true when withdrawn. */
  cancelCommand(id: number): Promise<boolean>;
  /** Delete answered and withdrawn commands created before `before` (ms); resolves with how many. */
  pruneCommands(before: number): Promise<number>;

  /** Idempotent on `decision.id`. */
  appendDecision(decision: Decision): Promise<void>;
  /** Oldest first; with `limit`, the newest `limit` decisions (still returned oldest first). */
  listDecisions(opts?: { buildId?: string; limit?: number }): Promise<Decision[]>;

  /** Insert or replace by `step.key`. */
  upsertStep(step: DeployStep): Promise<void>;
  /** Ordered by start time; with `limit`, the latest-started `limit` steps (still in start order). */
  listSteps(opts?: { buildId?: string; limit?: number }): Promise<DeployStep[]>;

  /** Insert or replace by `event.id`. */
  upsertEvent(event: DeployEvent): Promise<void>;
  getEvent(id: string): Promise<DeployEvent | undefined>;
  /** Newest first. */
  listEvents(opts?: { status?: 'open' | 'closed'; buildId?: string; limit?: number }): Promise<DeployEvent[]>;

  /** Idempotent on `record.id` (a repeat changes nothing). */
  putGateRecord(record: GateRecord): Promise<void>;
  getGateRecord(id: string): Promise<GateRecord | undefined>;
  /** Oldest first; with `limit`, the newest `limit` records (still oldest first). */
  listGateRecords(opts?: { buildId?: string; limit?: number }): Promise<GateRecord[]>;

  /** Returns false if target+key was already enqueued. */
  enqueueOutbox(entry: { target: string; key: string; payload: unknown; at: number }): Promise<boolean>;
  /** Pending entries due at `now`, oldest first. */
  dueOutbox(now: number, limit: number): Promise<OutboxEntry[]>;
  markOutboxSent(id: number): Promise<void>;
  /** Record a failed attempt; `nextAttemptAt` null marks it dead. */
  markOutboxFailed(id: number, error: string, nextAttemptAt: number | null): Promise<void>;

  /** Small key-value store (e.g. Slack message ts per event, DM thread per author and build). */
  getKv(namespace: string, key: string): Promise<string | undefined>;
  setKv(namespace: string, key: string, value: string): Promise<void>;
  /** Set only if absent; returns true if this call set it (used for "roll back once" on double clicks). */
  setKvIfAbsent(namespace: string, key: string, value: string): Promise<boolean>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(opts?: { limit?: number }): Promise<AuditEntry[]>;
}
