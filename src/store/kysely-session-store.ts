import type { Kysely, Selectable } from 'kysely';
import { KyselyStore } from './kysely-store.js';
import type { Database, SessionsTable } from './schema.js';
import { MemorySessionStore, type SessionRecord, type SessionStore } from './session-store.js';
import type { Store } from './store.js';

function toRecord(r: Selectable<SessionsTable>): SessionRecord {
  return { id: r.id, user: r.user_name, csrf: r.csrf, credential: r.credential, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at), ip: r.ip };
}

/** UI sessions in the `sessions` table (migration 0003_sessions), same queries on SQLite and PostgreSQL. */
export class KyselySessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createSession(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id: s.id, user_name: s.user, csrf: s.csrf, credential: s.credential, created_at: s.createdAt, expires_at: s.expiresAt, ip: s.ip })
      .execute();
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async revokeSession(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async revokeUserSessions(user: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('user_name', '=', user).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async listSessions(now: number): Promise<SessionRecord[]> {
    const rows = await this.db.selectFrom('sessions').selectAll().where('expires_at', '>', now).orderBy('created_at', 'desc').execute();
    return rows.map(toRecord);
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

/** The SessionStore that goes with a Store: its sessions table when it has one, else memory. */
export function sessionStoreFor(store: Store): SessionStore {
  return store instanceof KyselyStore ? new KyselySessionStore(store.db) : new MemorySessionStore();
}
