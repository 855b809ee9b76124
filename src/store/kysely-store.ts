import { Migrator, type Kysely } from 'kysely';
import type { Build } from '../domain/build.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import type { DeployEvent } from '../domain/events.js';
import { ReleasebotError } from '../domain/errors.js';
import type { AuditEntry, OutboxEntry, Store } from './store.js';
import type { Database, Engine } from './schema.js';
import { migrationProvider } from './migrations.js';
import {
  auditToRow,
  buildToRow,
  decisionToRow,
  eventToRow,
  parseJson,
  rowToAudit,
  rowToOutbox,
  stepToRow,
} from './rows.js';

/** The single row id of the pipeline state snapshot. */
const STATE_ROW = 1;

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
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.engine), migrationTableSchema: schema });
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
    const text = JSON.stringify(state);
    const next = expectedVersion + 1;
    let n: number;
    if (expectedVersion === 0) {
      // First snapshot: the primary key makes a concurrent first save lose, not overwrite.
      const r = await this.db
        .insertInto('pipeline_state')
        .values({ id: STATE_ROW, version: next, state: text })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      n = touched(r.numInsertedOrUpdatedRows);
    } else {
      const r = await this.db
        .updateTable('pipeline_state')
        .set({ version: next, state: text })
        .where('id', '=', STATE_ROW)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      n = touched(r.numUpdatedRows);
    }
    if (n === 0) {
      const current = (await this.loadState())?.version ?? 0;
      throw new ReleasebotError('CONFLICT', `state version conflict: expected ${expectedVersion}, stored ${current}`, {
        expectedVersion,
        storedVersion: current,
      });
    }
    return next;
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

  async enqueueOutbox(entry: { target: string; key: string; payload: unknown; at: number }): Promise<boolean> {
    const r = await this.db
      .insertInto('outbox')
      .values({
        target: entry.target,
        key: entry.key,
        payload: JSON.stringify(entry.payload ?? null),
        attempts: 0,
        next_attempt_at: entry.at,
        status: 'pending',
        last_error: null,
        created_at: entry.at,
      })
      .onConflict((oc) => oc.columns(['target', 'key']).doNothing())
      .executeTakeFirst();
    return touched(r.numInsertedOrUpdatedRows) > 0;
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(rowToOutbox);
  }

  async markOutboxSent(id: number): Promise<void> {
    await this.db.updateTable('outbox').set({ status: 'sent', last_error: null }).where('id', '=', id).execute();
  }

  async markOutboxFailed(id: number, error: string, nextAttemptAt: number | null): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error,
        // null means "give up": the entry stays for inspection but is never due again.
        status: nextAttemptAt === null ? 'dead' : 'pending',
        ...(nextAttemptAt === null ? {} : { next_attempt_at: nextAttemptAt }),
      }))
      .where('id', '=', id)
      .execute();
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
