import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CommandOutcome, PipelineCommand, StoredCommand } from '../domain/command.js';
import { ReleasebotError } from '../domain/errors.js';
import { parseJson } from './rows.js';
import type { CommandsTable, Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

function toCommand(r: Selectable<CommandsTable>): StoredCommand {
  const out: StoredCommand = { id: Number(r.id), command: parseJson<PipelineCommand>(r.payload, `commands ${r.id}`), status: r.status as StoredCommand['status'], createdAt: Number(r.created_at) };
  if (r.outcome !== null) out.outcome = parseJson<CommandOutcome>(r.outcome, `commands ${r.id} outcome`);
  return out;
}

/** Store a command for the leader; resolves with its id. */
export async function enqueueCommand(db: Db, command: PipelineCommand, at: number): Promise<number> {
  const r = await db.insertInto('commands').values({ kind: command.kind, payload: JSON.stringify(command), status: 'pending', outcome: null, created_at: at }).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Pending commands, oldest first (the order they were asked in). */
export async function pendingCommands(db: Db, limit: number): Promise<StoredCommand[]> {
  const rows = await db.selectFrom('commands').selectAll().where('status', '=', 'pending').orderBy('id', 'asc').limit(limit).execute();
  return rows.map(toCommand);
}

export async function getCommand(db: Db, id: number): Promise<StoredCommand | undefined> {
  const r = await db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toCommand(r) : undefined;
}

/** Record the leader's answer; false (nothing changed) unless the command was still pending. */
export async function finishCommand(db: Db, id: number, outcome: CommandOutcome): Promise<boolean> {
  const r = await db.updateTable('commands').set({ status: 'done', outcome: JSON.stringify(outcome) }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0n) > 0;
}

/** Inside a transition's transaction: mark the command done, or fail the whole transaction if it no longer is pending (applied twice). */
export async function finishCommandInTransition(trx: Transaction<Database>, id: number, outcome: CommandOutcome): Promise<void> {
  if (!(await finishCommand(trx, id, outcome))) {
    throw new ReleasebotError('CONFLICT', `command ${id} is no longer pending (applied or cancelled already)`, { commandId: id });
  }
}

/** The asker gave up waiting: withdraw the command unless the leader took it already; true when withdrawn. */
export async function cancelCommand(db: Db, id: number): Promise<boolean> {
  const r = await db.updateTable('commands').set({ status: 'cancelled' }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0n) > 0;
}

/** Delete answered and withdrawn commands created before `before`: the inbox does not grow for ever. */
export async function pruneCommands(db: Db, before: number): Promise<number> {
  const r = await db.deleteFrom('commands').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0n);
}
