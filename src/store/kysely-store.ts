import { Migrator, type Kysely } from 'kysely';
import type { Build } from '../domain/build.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import type { DeployEvent } from '../domain/events.js';
import type { GateRecord } from '../domain/gate.js';
import { ReleasebotError } from '../domain/errors.js';
import type { AuditEntry, OutboxEntry, Store } from './store.js';
import type { Database, Engine } from './schema.js';
import { migrationProvider } from './migrations.js';
import type { CommandOutcome, PipelineCommand, StoredCommand } from '../domain/command.js';
import { cancelCommand, enqueueCommand, finishCommand, getCommand, pendingCommands, pruneCommands } from './commands.js';
import { fencedStore } from './fenced-store.js';
import { dueOutbox, enqueueOutbox, markOutboxFailed, markOutboxSent } from './outbox-rows.js';
import { guardStore } from './guarded-store.js';
import type { Fence } from './transition-write.js';
import { acquireLease, readLease, releaseLease, type LeaseRow } from './lease.js';
import { commitTransition, ping, STATE_ROW, writeState, type TransitionWrite } from './transition-write.js';
import {
  auditToRow,
  buildToRow,
  decisionToRow,
  eventToRow,
  parseJson,
  rowToAudit,
  stepToRow,
} from './rows.js';

/** Number of rows an insert/update touched; Kysely reports bigint or undefined depending on the driver. */
function touched(n: bigint | undefined): number {
  return Number(n ?? 0n);
}

/**
 * The Store over Kysely: identical queries for SQLite and PostgreSQL. Idempotency comes from
 * `ON CONFLICT` clauses (atomic in both engines), never from read-then-write.
 */
export class KyselyStore implements Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly engine: Engine,
  ) {}

  /**
   * Runs migrations to the latest version. `schema` (PostgreSQL) is where the migration bookkeeping
   * tables live: without it Kysely finds them in any schema of the database and skips creating
   * them in this one, so a second releasebot schema in the same database would fail to start.
   */
  async migrate(schema?: string): Promise<void> {
    // Unordered: migration names are reserved per piece of work (0002_, 0003_...) and may land out of order; each is applied once.
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.engine), migrationTableSchema: schema, allowUnorderedMigrations: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new ReleasebotError('STORE_FAILED', `store migration ${failed} failed: ${String(error)}`, { migration: failed }, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async putBuild(build: Build): Promise<'created' | 'exists'> {
    const r = await this.db
      .insertInto('builds')
      .values(buildToRow(build))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return touched(r.numInsertedOrUpdatedRows) > 0 ? 'created' : 'exists';
  }

  async getBuild(id: string): Promise<Build | undefined> {
    const row = await this.db.selectFrom('builds').select('data').where('id', '=', id).executeTakeFirst();
    return row ? parseJson<Build>(row.data, `builds ${id}`) : undefined;
  }

  /** Newest accepted first (acceptance order, not CI creation time). */
  async listBuilds(opts: { limit?: number } = {}): Promise<Build[]> {
    let q = this.db.selectFrom('builds').select(['id', 'data']).orderBy('seq', 'desc');
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const rows = await q.execute();
    return rows.map((r) => parseJson<Build>(r.data, `builds ${r.id}`));
  }

  async loadState(): Promise<{ version: number; state: unknown } | undefined> {
    const row = await this.db.selectFrom('pipeline_state').selectAll().where('id', '=', STATE_ROW).executeTakeFirst();
    return row ? { version: Number(row.version), state: parseJson(row.state, 'pipeline_state') } : undefined;
  }

  async saveState(state: unknown, expectedVersion: number): Promise<number> {
    return writeState(this.db, state, expectedVersion);
  }

  async commitTransition(t: TransitionWrite): Promise<number> {
    return commitTransition(this.db, this.engine, t);
  }

  async ping(): Promise<void> {
    await ping(this.db);
  }

  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<LeaseRow | undefined> {
    return acquireLease(this.db, name, holder, ttlMs, now);
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return releaseLease(this.db, name, holder);
  }

  readLease(name: string): Promise<LeaseRow | undefined> {
    return readLease(this.db, name);
  }

  fenced(fence: Fence, onLost?: (e: Error) => void): Store {
    return guardStore(fencedStore(this, { db: this.db, engine: this.engine, fence, onLost, over: (trx) => new KyselyStore(trx, this.engine) }));
  }

  async stateVersion(): Promise<number | undefined> {
    const row = await this.db.selectFrom('pipeline_state').select('version').where('id', '=', STATE_ROW).executeTakeFirst();
    return row ? Number(row.version) : undefined;
  }

  enqueueCommand(command: PipelineCommand, at: number): Promise<number> {
    return enqueueCommand(this.db, command, at);
  }

  pendingCommands(limit: number): Promise<StoredCommand[]> {
    return pendingCommands(this.db, limit);
  }

  getCommand(id: number): Promise<StoredCommand | undefined> {
    return getCommand(this.db, id);
  }

  finishCommand(id: number, outcome: CommandOutcome): Promise<boolean> {
    return finishCommand(this.db, id, outcome);
  }

  cancelCommand(id: number): Promise<boolean> {
    return cancelCommand(this.db, id);
  }

  pruneCommands(before: number): Promise<number> {
    return pruneCommands(this.db, before);
  }

  /** Whether any decision names `buildId`: the orchestrator has seen the build (decisions and state are written together). */
  async hasDecisionFor(buildId: string): Promise<boolean> {
    const row = await this.db.selectFrom('decisions').select('id').where('build_id', '=', buildId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async appendDecision(decision: Decision): Promise<void> {
    await this.db
      .insertInto('decisions')
      .values(decisionToRow(decision))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Oldest first; with `limit`, the newest `limit` decisions (still oldest first). */
  async listDecisions(opts: { buildId?: string; limit?: number } = {}): Promise<Decision[]> {
    let q = this.db.selectFrom('decisions').select(['id', 'data']);
    if (opts.buildId !== undefined) q = q.where('build_id', '=', opts.buildId);
    const rows =
      opts.limit === undefined
        ? await q.orderBy('at', 'asc').orderBy('seq', 'asc').execute()
        : (await q.orderBy('at', 'desc').orderBy('seq', 'desc').limit(opts.limit).execute()).reverse();
    return rows.map((r) => parseJson<Decision>(r.data, `decisions ${r.id}`));
  }

  async upsertStep(step: DeployStep): Promise<void> {
    const row = stepToRow(step);
    await this.db
      .insertInto('deploy_steps')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ build_id: row.build_id, stage: row.stage, started_at: row.started_at, data: row.data }))
      .execute();
  }

  /** Ordered by start time; with `limit`, the latest-started `limit` steps (still in start order). */
  async listSteps(opts: { buildId?: string; limit?: number } = {}): Promise<DeployStep[]> {
    let q = this.db.selectFrom('deploy_steps').select(['key', 'data']);
    if (opts.buildId !== undefined) q = q.where('build_id', '=', opts.buildId);
    const rows =
      opts.limit === undefined
        ? await q.orderBy('started_at', 'asc').orderBy('key', 'asc').execute()
        : (await q.orderBy('started_at', 'desc').orderBy('key', 'desc').limit(opts.limit).execute()).reverse();
    return rows.map((r) => parseJson<DeployStep>(r.data, `deploy_steps ${r.key}`));
  }

  async upsertEvent(event: DeployEvent): Promise<void> {
    const row = eventToRow(event);
    const { id: _id, ...rest } = row;
    await this.db
      .insertInto('events')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(rest))
      .execute();
  }

  async getEvent(id: string): Promise<DeployEvent | undefined> {
    const row = await this.db.selectFrom('events').select('data').where('id', '=', id).executeTakeFirst();
    return row ? parseJson<DeployEvent>(row.data, `events ${id}`) : undefined;
  }

  async listEvents(opts: { status?: 'open' | 'closed'; buildId?: string; limit?: number } = {}): Promise<DeployEvent[]> {
    let q = this.db.selectFrom('events').select(['id', 'data']).orderBy('opened_at', 'desc').orderBy('id', 'desc');
    if (opts.status !== undefined) q = q.where('status', '=', opts.status);
    if (opts.buildId !== undefined) q = q.where('build_id', '=', opts.buildId);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const rows = await q.execute();
    return rows.map((r) => parseJson<DeployEvent>(r.data, `events ${r.id}`));
  }

  async putGateRecord(record: GateRecord): Promise<void> {
    const row = { id: record.id, build_id: record.buildId, stage: record.stage, evaluated_at: record.evaluatedAt, verdict: record.verdict, data: JSON.stringify(record) };
    await this.db.insertInto('gate_records').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  async getGateRecord(id: string): Promise<GateRecord | undefined> {
    const row = await this.db.selectFrom('gate_records').select('data').where('id', '=', id).executeTakeFirst();
    return row ? parseJson<GateRecord>(row.data, `gate_records ${id}`) : undefined;
  }

  async listGateRecords(opts: { buildId?: string; limit?: number } = {}): Promise<GateRecord[]> {
    let q = this.db.selectFrom('gate_records').select(['id', 'data']).orderBy('evaluated_at', 'desc').orderBy('id', 'desc');
    if (opts.buildId !== undefined) q = q.where('build_id', '=', opts.buildId);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const rows = await q.execute();
    return rows.reverse().map((r) => parseJson<GateRecord>(r.data, `gate_records ${r.id}`));
  }

  enqueueOutbox(entry: { target: string; key: string; payload: unknown; at: number }): Promise<boolean> {
    return enqueueOutbox(this.db, entry);
  }

  dueOutbox(now: number, limit: number): Promise<OutboxEntry[]> {
    return dueOutbox(this.db, now, limit);
  }

  markOutboxSent(id: number): Promise<void> {
    return markOutboxSent(this.db, id);
  }

  markOutboxFailed(id: number, error: string, nextAttemptAt: number | null): Promise<void> {
    return markOutboxFailed(this.db, id, error, nextAttemptAt);
  }

  async getKv(namespace: string, key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('kv').select('value').where('namespace', '=', namespace).where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setKv(namespace: string, key: string, value: string): Promise<void> {
    await this.db
      .insertInto('kv')
      .values({ namespace, key, value })
      .onConflict((oc) => oc.columns(['namespace', 'key']).doUpdateSet({ value }))
      .execute();
  }

  async setKvIfAbsent(namespace: string, key: string, value: string): Promise<boolean> {
    const r = await this.db
      .insertInto('kv')
      .values({ namespace, key, value })
      .onConflict((oc) => oc.columns(['namespace', 'key']).doNothing())
      .executeTakeFirst();
    return touched(r.numInsertedOrUpdatedRows) > 0;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.db.insertInto('audit').values(auditToRow(entry)).execute();
  }

  /** Newest first. */
  async listAudit(opts: { limit?: number } = {}): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit').selectAll().orderBy('at', 'desc').orderBy('seq', 'desc');
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map(rowToAudit);
  }
}
