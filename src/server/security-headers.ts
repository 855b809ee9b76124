import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The Content-Security-Policy of every response. Scripts and styles only from this origin, no
 * inline script, no `style="..."` attributes (the UI sets styles through CSSOM, which CSP allows),
 * no plugins, no framing, forms post only here. A `javascript:` link that slipped through
 * validation still cannot run: CSP treats it as inline script.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent on every response, what a security scanner expects of an authenticated web app. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-permitted-cross-domain-policies': 'none',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** HSTS only over HTTPS: sent over plain HTTP it is ignored, and on a loopback demo it would be wrong. */
const HSTS = 'max-age=31536000';

/**
 * Adds the security headers to every response, including errors and 404s. API answers
 * (`/api/*`) are also `no-store`: they carry logged-in data that shared caches must not keep.
 */
export function installSecurityHeaders(app: FastifyInstance, isHttps: (req: FastifyRequest) => boolean): void {
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (isHttps(req)) reply.header('strict-transport-security', HSTS);
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
