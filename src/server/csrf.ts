import type { FastifyRequest } from 'fastify';
import { sameSecret, type Resolved } from './auth.js';

/** Methods that never change state (and so need no CSRF check). */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Header the UI sends its CSRF token in; a cross-site form cannot set a header. */
export const CSRF_HEADER = 'x-csrf-token';
/** Form field carrying the CSRF token, for the logout form. */
export const CSRF_FIELD = '_csrf';

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The origin this server is reached at: the configured public URL, else what the request says it asked for. */
export function expectedOrigin(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return `${req.protocol}://${req.host}`.toLowerCase();
}

/**
 * Why a request must be refused as cross-site, or null when it may go on. Applies to
 * state-changing requests that something ambient could authorise (a session cookie, an SSO
 * proxy header) and to the login form (login CSRF). API-token and Slack-signed requests carry
 * their own proof and pass.
 *
 * 1. A browser's `Sec-Fetch-Site` must be `same-origin` (another port or a sibling subdomain is
 *    `same-site`: refused; SameSite=Strict cookies do not separate those).
 * 2. A browser's `Origin` must be this server's origin.
 * 3. A session or SSO user must also send the per-session token (header, or `_csrf` in a form).
 */
export function csrfProblem(req: FastifyRequest, r: Resolved, opts: { publicUrl?: string; loginPath: boolean }): string | null {
  if (SAFE.has(req.method)) return null;
  const ambient = r.principal !== null && r.principal.via !== 'token';
  if (!ambient && !opts.loginPath) return null;
  const site = one(req.headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = one(req.headers.origin);
  if (origin !== undefined && origin.toLowerCase() !== expectedOrigin(req, opts.publicUrl)) return `cross-origin request refused (Origin: ${origin.slice(0, 100)})`;
  if (!ambient || opts.loginPath) return null;
  const body = req.body as Record<string, unknown> | undefined;
  const given = one(req.headers[CSRF_HEADER]) ?? (typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined);
  if (!given || !r.csrf || !sameSecret(given, r.csrf)) return `missing or wrong CSRF token (send the ${CSRF_HEADER} header from /api/me)`;
  return null;
}
