import type { Generated } from 'kysely';

/**
 * Table shapes of the one schema shared by SQLite and PostgreSQL.
 * Times are epoch milliseconds stored as `double precision` (virtual clocks may produce fractions);
 * JSON is stored as text so both engines treat it the same way.
 */
export interface BuildsTable {
  seq: Generated<number>;
  id: string;
  sha: string;
  created_at: string;
  received_at: string;
  /** The whole Build as JSON. */
  data: string;
}

export interface StateTable {
  id: number;
  version: number;
  state: string;
}

export interface DecisionsTable {
  seq: Generated<number>;
  id: string;
  at: number;
  kind: string;
  build_id: string | null;
  stage: string | null;
  data: string;
}

export interface StepsTable {
  key: string;
  build_id: string;
  stage: string;
  started_at: number;
  data: string;
}

export interface EventsTable {
  id: string;
  build_id: string;
  status: string;
  opened_at: number;
  updated_at: number;
  data: string;
}

export interface OutboxTable {
  id: Generated<number>;
  target: string;
  key: string;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  status: string;
  last_error: string | null;
  created_at: number;
}

export interface KvTable {
  namespace: string;
  key: string;
  value: string;
}

export interface AuditTable {
  seq: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  /** 0 or 1: one representation for both engines. */
  allowed: number;
  detail: string | null;
}

/** UI sessions (migration 0003_sessions); `id` is the SHA-256 of the cookie token. */
export interface SessionsTable {
  id: string;
  user_name: string;
  csrf: string;
  credential: string;
  created_at: number;
  expires_at: number;
  ip: string;
}

/** Leader leases (migration 0002_leases): one row per lease name. */
export interface LeasesTable {
  name: string;
  holder: string;
  /** Fencing token: raised whenever the holder changes. */
  token: number;
  expires_at: number;
}

export interface GateRecordsTable {
  id: string;
  build_id: string;
  stage: string;
  evaluated_at: number;
  verdict: string;
  /** The whole GateRecord as JSON. */
  data: string;
}

/** The replicas' command inbox (migration 0005_commands). */
export interface CommandsTable {
  id: Generated<number>;
  kind: string;
  /** The command's arguments as JSON. */
  payload: string;
  /** pending (waiting for the leader), done (applied or refused: see outcome), cancelled (the asker gave up first). */
  status: string;
  /** The leader's answer as JSON: `{ok: true, value?}` or `{ok: false, code, message}`. */
  outcome: string | null;
  created_at: number;
}

/** The Kysely database type. */
export interface Database {
  builds: BuildsTable;
  pipeline_state: StateTable;
  decisions: DecisionsTable;
  deploy_steps: StepsTable;
  events: EventsTable;
  outbox: OutboxTable;
  kv: KvTable;
  audit: AuditTable;
  sessions: SessionsTable;
  leases: LeasesTable;
  gate_records: GateRecordsTable;
  commands: CommandsTable;
}

/** The SQL engine behind a store; only migrations need to know (identity columns differ). */
export type Engine = 'sqlite' | 'postgres';
