import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { SessionRecord, SessionStore } from '../store/session-store.js';

/** Default session lifetime: a working day. */
export const SESSION_TTL_MS = 12 * 3600_000;

/** SHA-256 hex: the stored id of a cookie token. */
export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A short fingerprint of a password (32 bits): enough to notice that it changed, too little to
 * help anyone guess it from a copy of the sessions table.
 */
export function credentialOf(password: string): string {
  return createHash('sha256').update('releasebot-session-credential\0').update(password).digest('hex').slice(0, 8);
}

/**
 * Server-side UI sessions: a random cookie token, stored hashed with its user, CSRF token, expiry
 * and password fingerprint. Logout revokes one; a changed password or a user removed from the
 * config ends them all on their next use.
 */
export class SessionManager {
  constructor(
    private readonly store: SessionStore,
    private readonly users: Config['server']['ui']['users'],
    /** Wall clock: sessions last real hours even when the pipeline runs on a fast virtual clock. */
    private readonly clock: Clock,
    readonly ttlMs: number = SESSION_TTL_MS,
  ) {}

  /** Starts a session; returns the cookie token (shown once, never stored) and the record. */
  async issue(user: string, ip: string): Promise<{ token: string; session: SessionRecord }> {
    const now = this.clock.now();
    await this.store.deleteExpiredSessions(now);
    const token = randomBytes(32).toString('base64url');
    const password = this.users.find((u) => u.name === user)?.password ?? '';
    const session: SessionRecord = {
      id: tokenId(token),
      user,
      csrf: randomBytes(24).toString('base64url'),
      credential: credentialOf(password),
      createdAt: now,
      expiresAt: now + this.ttlMs,
      ip,
    };
    await this.store.createSession(session);
    return { token, session };
  }

  /** The live session of a cookie token, or null (unknown, revoked, expired, user gone, password changed). */
  async lookup(token: string): Promise<SessionRecord | null> {
    // Only well-formed tokens reach the database (no NUL bytes, no megabyte cookies).
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const s = await this.store.getSession(tokenId(token));
    if (!s) return null;
    const user = this.users.find((u) => u.name === s.user);
    if (s.expiresAt <= this.clock.now() || !user) {
      await this.store.revokeSession(s.id);
      return null;
    }
    if (credentialOf(user.password) !== s.credential) {
      // The password changed since this session began: every session of the user issued before ends.
      await this.store.revokeUserSessions(s.user);
      return null;
    }
    return s;
  }

  /** Ends the session of a cookie token. */
  async revoke(token: string): Promise<boolean> {
    return this.store.revokeSession(tokenId(token));
  }

  /** Active sessions, newest first. */
  list(): Promise<SessionRecord[]> {
    return this.store.listSessions(this.clock.now());
  }

  /** Ends every session of a user. */
  revokeUser(user: string): Promise<number> {
    return this.store.revokeUserSessions(user);
  }
}
