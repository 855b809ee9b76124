import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import { ReleasebotError } from '../domain/errors.js';

/** Who is asking: an API token holder, a logged-in UI user, or a user named by a trusted SSO proxy header. */
export interface Principal {
  id: string;
  via: 'token' | 'session' | 'header';
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'rb_session';

/** Options of the authenticator besides the `server` config section. */
export interface AuthOptions {
  /** HMAC key for session cookies; generated at startup when absent (sessions then end on restart). */
  sessionSecret?: string;
  /** Wall clock for session expiry: sessions last real hours even when the pipeline runs on a fast virtual clock. */
  sessionClock: Clock;
  /** Session lifetime in ms (default 12 h). */
  sessionTtlMs?: number;
}

/** Constant-time string comparison (hashing first so lengths never leak through timing). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Resolves the principal of a request and issues session cookies.
 * Sessions are `base64url({u,exp}).hmac`: stateless, so several bot replicas sharing a secret accept each other's.
 */
export class Authenticator {
  private readonly secret: Buffer;
  private readonly ttlMs: number;

  constructor(private readonly cfg: Config['server'], private readonly opts: AuthOptions) {
    this.secret = opts.sessionSecret ? Buffer.from(opts.sessionSecret) : randomBytes(32);
    this.ttlMs = opts.sessionTtlMs ?? 12 * 3600_000;
  }

  /** Whether read-only pages and APIs need a principal. */
  get requireLoginForRead(): boolean {
    return this.cfg.ui.requireLoginForRead;
  }

  /** True when the UI offers a login form (users are configured). */
  get hasUsers(): boolean {
    return this.cfg.ui.users.length > 0;
  }

  /** The principal behind a request, from (in order) a Bearer token, the SSO header, or the session cookie. */
  principalOf(req: FastifyRequest): Principal | null {
    const token = this.tokenPrincipal(req);
    if (token) return token;
    const headerName = this.cfg.ui.trustedUserHeader;
    if (headerName) {
      const v = req.headers[headerName.toLowerCase()];
      const user = Array.isArray(v) ? v[0] : v;
      if (user && user.trim() !== '') return { id: user.trim(), via: 'header' };
    }
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    const user = cookie ? this.verifySession(cookie) : null;
    return user ? { id: user, via: 'session' } : null;
  }

  /** The principal of a valid `Authorization: Bearer` token, or null. */
  tokenPrincipal(req: FastifyRequest): Principal | null {
    const auth = req.headers.authorization;
    if (!auth || !/^Bearer\s+/i.test(auth)) return null;
    const given = auth.replace(/^Bearer\s+/i, '').trim();
    const index = this.cfg.apiTokens.findIndex((t) => sameSecret(t, given));
    // Name tokens by position, never by content: audit logs must not leak secrets.
    return index >= 0 ? { id: `api-token#${index + 1}`, via: 'token' } : null;
  }

  /** Checks a configured user's password; returns the user name or null. */
  checkPassword(name: string, password: string): string | null {
    let found: string | null = null;
    // Compare against every user so the time taken does not reveal which names exist.
    for (const u of this.cfg.ui.users) {
      const ok = sameSecret(u.name, name) && sameSecret(u.password, password);
      if (ok) found = u.name;
    }
    return found;
  }

  /** A signed session value for `user`. */
  issueSession(user: string): string {
    const payload = Buffer.from(JSON.stringify({ u: user, exp: this.opts.sessionClock.now() + this.ttlMs })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The user of a session value, or null when forged, malformed or expired. */
  verifySession(value: string): string | null {
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return null;
    const payload = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; exp?: unknown };
      if (typeof data.u !== 'string' || typeof data.exp !== 'number') return null;
      if (data.exp <= this.opts.sessionClock.now()) return null;
      // A user removed from the config loses access even with a valid cookie.
      return this.cfg.ui.users.some((u) => u.name === data.u) ? data.u : null;
    } catch {
      return null;
    }
  }

  /** Set-Cookie header value for a new session. */
  sessionCookie(value: string, secure: boolean): string {
    const attrs = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(this.ttlMs / 1000)}`];
    if (secure) attrs.push('Secure');
    return attrs.join('; ');
  }

  /** Set-Cookie header value that ends the session. */
  clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

/** Throws UNAUTHORIZED unless the request carries a valid API token. */
export function requireToken(auth: Authenticator, req: FastifyRequest, reply: FastifyReply): Principal {
  const p = auth.tokenPrincipal(req);
  if (p) return p;
  reply.header('WWW-Authenticate', 'Bearer realm="releasebot"');
  const given = req.headers.authorization ? 'invalid API token' : 'missing API token (send "Authorization: Bearer <token>")';
  throw new ReleasebotError('UNAUTHORIZED', given);
}

/** Throws UNAUTHORIZED unless the request has a principal. */
export function requirePrincipal(auth: Authenticator, req: FastifyRequest): Principal {
  const p = auth.principalOf(req);
  if (p) return p;
  throw new ReleasebotError('UNAUTHORIZED', 'login required: log in on /login or send "Authorization: Bearer <token>"');
}

/** Throws UNAUTHORIZED when reads need login and the request has no principal. */
export function requireReader(auth: Authenticator, req: FastifyRequest): Principal | null {
  const p = auth.principalOf(req);
  if (p || !auth.requireLoginForRead) return p;
  throw new ReleasebotError('UNAUTHORIZED', 'login required to read (server.ui.requireLoginForRead is on)');
}
