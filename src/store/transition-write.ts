import { sql, type Kysely, type Transaction } from 'kysely';
import { ReleasebotError } from '../domain/errors.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import { decisionToRow, stepToRow } from './rows.js';
import { finishCommandInTransition } from './commands.js';
import type { CommandOutcome } from '../domain/command.js';
import type { Database, Engine } from './schema.js';

/** The single row id of the pipeline state snapshot. */
export const STATE_ROW = 1;

/** A leader's claim on a lease, checked on every state write (a fencing token). */
export interface Fence {
  lease: string;
  holder: string;
  token: number;
}

/** One orchestrator transition: its decisions, deploy-step traces and the new state. */
export interface TransitionWrite {
  decisions: Decision[];
  steps: DeployStep[];
  state: unknown;
  /** Stored version the state must still have (0 = no state yet). */
  expectedVersion: number;
  /** With replicas: the write is refused unless this holder still holds the lease with this token. */
  fence?: Fence;
  /** The inbox command this transition applies: marked done with `outcome` in the same transaction (applied exactly once). */
  command?: { id: number; outcome: CommandOutcome };
}

/**
 * Write a whole transition in one database transaction: either the decisions, the step traces and
 * the state are all stored, or none is. A decision id that is already stored fails the transaction
 * instead of being skipped: reusing an id means the state and the log disagree, and silence would
 * drop a real decision. Returns the new state version; CONFLICT when the version or fence moved.
 */
export async function commitTransition(db: Kysely<Database>, engine: Engine, t: TransitionWrite): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (t.fence) await checkFence(trx, engine, t.fence);
    if (t.command) await finishCommandInTransition(trx, t.command.id, t.command.outcome);
    for (const d of t.decisions) await trx.insertInto('decisions').values(decisionToRow(d)).execute();
    for (const s of t.steps) {
      const row = stepToRow(s);
      await trx
        .insertInto('deploy_steps')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet({ build_id: row.build_id, stage: row.stage, started_at: row.started_at, data: row.data }))
        .execute();
    }
    return writeState(trx, t.state, t.expectedVersion);
  });
}

/** Refuse the write unless `fence` still holds its lease. PostgreSQL locks the lease row until commit, so a takeover waits for this write (and then sees it). */
export async function checkFence(trx: Transaction<Database>, engine: Engine, fence: Fence): Promise<void> {
  const q = trx.selectFrom('leases').select(['holder', 'token']).where('name', '=', fence.lease);
  const row = await (engine === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
  if (!row || row.holder !== fence.holder || Number(row.token) !== fence.token) {
    throw new FenceLostError( `lease ${fence.lease} moved to ${row?.holder ?? 'nobody'} (token ${row?.token ?? '-'}); this replica (token ${fence.token}) is no longer the leader`, {
      lease: fence.lease,
      holder: row?.holder,
      token: row ? Number(row.token) : undefined,
    });
  }
}

/** A write refused because the writer's lease moved: it is no longer the leader. */
export class FenceLostError extends ReleasebotError {
  constructor(message: string, details: Record<string, unknown>) {
    super('CONFLICT', message, { ...details, fenceLost: true });
  }
}

/** Optimistic write of the state snapshot; CONFLICT unless the stored version is `expectedVersion`. */
export async function writeState(db: Kysely<Database> | Transaction<Database>, state: unknown, expectedVersion: number): Promise<number> {
  const text = JSON.stringify(state);
  const next = expectedVersion + 1;
  let n: number;
  if (expectedVersion === 0) {
    // First snapshot: the primary key makes a concurrent first save lose, not overwrite.
    const r = await db
      .insertInto('pipeline_state')
      .values({ id: STATE_ROW, version: next, state: text })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    n = Number(r.numInsertedOrUpdatedRows ?? 0n);
  } else {
    const r = await db.updateTable('pipeline_state').set({ version: next, state: text }).where('id', '=', STATE_ROW).where('version', '=', expectedVersion).executeTakeFirst();
    n = Number(r.numUpdatedRows ?? 0n);
  }
  if (n === 0) {
    const row = await db.selectFrom('pipeline_state').select('version').where('id', '=', STATE_ROW).executeTakeFirst();
    const current = row ? Number(row.version) : 0;
    throw new ReleasebotError('CONFLICT', `state version conflict: expected ${expectedVersion}, stored ${current}`, { expectedVersion, storedVersion: current });
  }
  return next;
}

/** A round trip to the database (readiness). */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
