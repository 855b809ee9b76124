/** Rows of the `outbox` table: messages for notifiers, delivered (and retried) by the outbox worker. */
import type { Kysely } from 'kysely';
import { rowToOutbox } from './rows.js';
import type { Database } from './schema.js';
import type { OutboxEntry } from './store.js';

/** Queue a message for a notifier; false when (target, key) is queued already (idempotent). */
export async function enqueueOutbox(db: Kysely<Database>, entry: { target: string; key: string; payload: unknown; at: number }): Promise<boolean> {
  const r = await db
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
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Pending messages due at `now`, oldest first. */
export async function dueOutbox(db: Kysely<Database>, now: number, limit: number): Promise<OutboxEntry[]> {
  const rows = await db
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

export async function markOutboxSent(db: Kysely<Database>, id: number): Promise<void> {
  await db.updateTable('outbox').set({ status: 'sent', last_error: null }).where('id', '=', id).execute();
}

/** Count a failed attempt; `nextAttemptAt` null gives up (the row stays, as 'dead'). */
export async function markOutboxFailed(db: Kysely<Database>, id: number, error: string, nextAttemptAt: number | null): Promise<void> {
  await db
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
