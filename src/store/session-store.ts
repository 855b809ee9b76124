/** A server-side UI session. The cookie holds a random token; only its hash is stored. */
export interface SessionRecord {
  /** SHA-256 (hex) of the cookie token: a copy of the table yields no usable cookie. */
  id: string;
  user: string;
  /** Per-session CSRF token the UI sends in `x-csrf-token` on every state-changing request. */
  csrf: string;
  /** Short fingerprint of the password the session was issued for: a changed password ends it. */
  credential: string;
  createdAt: number;
  expiresAt: number;
  /** Client address at login, for the admin list. */
  ip: string;
}

/**
 * Persistence of UI sessions (SQLite and PostgreSQL through the same Kysely store, or memory).
 * Times are wall-clock epoch ms.
 */
export interface SessionStore {
  createSession(s: SessionRecord): Promise<void>;
  /** The session with this id, expired or not (the caller decides). */
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Ends one session; false when it did not exist. */
  revokeSession(id: string): Promise<boolean>;
  /** Ends every session of a user; returns how many. */
  revokeUserSessions(user: string): Promise<number>;
  /** Sessions not yet expired at `now`, newest first. */
  listSessions(now: number): Promise<SessionRecord[]>;
  /** Deletes sessions expired at `now`; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}

/** A SessionStore in memory: for stores without a sessions table (tests, fakes). Sessions end on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly rows = new Map<string, SessionRecord>();

  async createSession(s: SessionRecord): Promise<void> {
    this.rows.set(s.id, { ...s });
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = this.rows.get(id);
    return s ? { ...s } : undefined;
  }

  async revokeSession(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  async revokeUserSessions(user: string): Promise<number> {
    let n = 0;
    for (const [id, s] of this.rows) if (s.user === user && this.rows.delete(id)) n++;
    return n;
  }

  async listSessions(now: number): Promise<SessionRecord[]> {
    return [...this.rows.values()].filter((s) => s.expiresAt > now).sort((a, b) => b.createdAt - a.createdAt).map((s) => ({ ...s }));
  }

  async deleteExpiredSessions(now: number): Promise<number> {
    let n = 0;
    for (const [id, s] of this.rows) if (s.expiresAt <= now && this.rows.delete(id)) n++;
    return n;
  }
}
