import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { ReleasebotError } from '../domain/errors.js';
import type { SessionManager } from './sessions.js';
import { TrustedProxies } from './trusted-proxies.js';

/** Who is asking: an API token holder, a logged-in UI user, or a user named by a trusted SSO proxy header. */
export interface Principal {
  id: string;
  via: 'token' | 'session' | 'header';
}

/** What the auth hook found out about a request. */
export interface Resolved {
  principal: Principal | null;
  /** The CSRF token a session or SSO user must send on state-changing requests. */
  csrf?: string;
  /** The session cookie token, when a live session authorised the request. */
  sessionToken?: string;
  /** Set when the trusted user header came from an address that is not a trusted proxy. */
  untrustedHeader?: { peer: string; user: string };
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'rb_session';

/** Constant-time string comparison (hashing first so lengths never leak through timing). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Reads one cookie from a Cookie header (a malformed value reads as absent). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Resolves the principal of a request (once, in the auth hook; `principalOf` then reads the
 * result) and checks passwords. Sessions live in the store (see sessions.ts).
 */
export class Authenticator {
  private readonly resolved = new WeakMap<object, Resolved>();
  readonly proxies: TrustedProxies;

  constructor(
    private readonly cfg: Config['server'],
    readonly sessions: SessionManager,
    /** Key for the SSO users' CSRF tokens (they have no session row to keep one in). */
    private readonly csrfKey: Buffer,
  ) {
    this.proxies = new TrustedProxies(cfg.ui.trustedProxies);
  }

  /** Whether read-only pages and APIs need a principal. */
  get requireLoginForRead(): boolean {
    return this.cfg.ui.requireLoginForRead;
  }

  /** True when the UI offers a login form (users are configured). */
  get hasUsers(): boolean {
    return this.cfg.ui.users.length > 0;
  }

  /** Works out who is asking, from (in order) a Bearer token, the SSO header from a trusted proxy, or the session cookie. */
  async resolve(req: FastifyRequest): Promise<Resolved> {
    const token = this.tokenPrincipal(req);
    if (token) return this.remember(req, { principal: token });
    const headerName = this.cfg.ui.trustedUserHeader?.toLowerCase();
    const v = headerName ? req.headers[headerName] : undefined;
    const user = (Array.isArray(v) ? v[0] : v)?.trim();
    if (headerName && user) {
      const peer = req.socket.remoteAddress ?? '';
      if (!this.proxies.has(peer)) return this.remember(req, { principal: null, untrustedHeader: { peer, user } });
      return this.remember(req, { principal: { id: user, via: 'header' }, csrf: this.ssoCsrf(user) });
    }
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = cookie ? await this.sessions.lookup(cookie) : null;
    if (!session || !cookie) return this.remember(req, { principal: null });
    return this.remember(req, { principal: { id: session.user, via: 'session' }, csrf: session.csrf, sessionToken: cookie });
  }

  /** The principal behind a request, as the auth hook resolved it (token-only if the hook did not run). */
  principalOf(req: FastifyRequest): Principal | null {
    const r = this.resolved.get(req.raw);
    return r ? r.principal : this.tokenPrincipal(req);
  }

  /** What the auth hook resolved for a request. */
  resolvedOf(req: FastifyRequest): Resolved {
    return this.resolved.get(req.raw) ?? { principal: this.tokenPrincipal(req) };
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

  /** Set-Cookie header value for a new session. */
  sessionCookie(token: string, secure: boolean): string {
    const attrs = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(this.sessions.ttlMs / 1000)}`];
    if (secure) attrs.push('Secure');
    return attrs.join('; ');
  }

  /** Set-Cookie header value that ends the session. */
  clearCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  private ssoCsrf(user: string): string {
    return createHmac('sha256', this.csrfKey).update(`sso-csrf\0${user}`).digest('base64url');
  }

  private remember(req: FastifyRequest, r: Resolved): Resolved {
    this.resolved.set(req.raw, r);
    return r;
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
