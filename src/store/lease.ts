import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A lease as stored: who holds it, its fencing token (raised on every change of holder) and when it expires. */
export interface LeaseRow {
  holder: string;
  token: number;
  expiresAt: number;
}

/**
 * Take or renew lease `name` for `holder` until `now + ttlMs`. Succeeds when nobody holds it, when it
 * expired, or when `holder` already holds it (a renewal keeps the token); a change of holder raises
 * the token, so writes fenced with the old token fail. One conditional statement each: atomic in
 * SQLite and PostgreSQL. Returns the lease if this holder has it now, else undefined.
 */
export async function acquireLease(db: Kysely<Database>, name: string, holder: string, ttlMs: number, now: number): Promise<LeaseRow | undefined> {
  await db
    .insertInto('leases')
    .values({ name, holder: '', token: 0, expires_at: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const renewed = await db
    .updateTable('leases')
    .set({ expires_at: now + ttlMs })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  if (Number(renewed.numUpdatedRows ?? 0n) === 0) {
    await db
      .updateTable('leases')
      .set((eb) => ({ holder, token: eb('token', '+', 1), expires_at: now + ttlMs }))
      .where('name', '=', name)
      .where('expires_at', '<', now)
      .execute();
  }
  const row = await readLease(db, name);
  return row && row.holder === holder ? row : undefined;
}

/** Give the lease up at once (a clean shutdown), so another replica need not wait for it to expire. */
export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.updateTable('leases').set({ expires_at: 0 }).where('name', '=', name).where('holder', '=', holder).execute();
}

export async function readLease(db: Kysely<Database>, name: string): Promise<LeaseRow | undefined> {
  const r = await db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
  return r ? { holder: r.holder, token: Number(r.token), expiresAt: Number(r.expires_at) } : undefined;
}
