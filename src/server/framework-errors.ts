import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * Fastify's own early answers (a malformed URL, a too-long path parameter, a request Node's
 * parser rejects) in the documented `{error:{code,message}}` body instead of Fastify's default shape.
 */

/** `frameworkErrors` option: bad URL encoding (400) and over-long path parameters (414). */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = typeof err.statusCode === 'number' ? err.statusCode : 400;
  const [code, message] =
    status === 414 ? ['URI_TOO_LONG', 'a path segment is too long'] : status >= 500 ? ['UNKNOWN', 'internal error'] : ['BAD_REQUEST', 'malformed URL (bad percent-encoding)'];
  // These answers bypass the route hooks, so the security headers are added here.
  void reply.status(status).headers({ ...SECURITY_HEADERS }).type('application/json').send({ error: { code, message } });
}

/** What a low-level parser error becomes: status, code and message. */
function classify(err: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  if (err.code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'request line or headers too large' };
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'TIMEOUT', message: 'request took too long to arrive' };
  if (err.code === 'HPE_URI_TOO_LONG') return { status: 414, code: 'URI_TOO_LONG', message: 'URL too long' };
  return { status: 400, code: 'BAD_REQUEST', message: 'malformed HTTP request' };
}

/** `clientErrorHandler` option: answers errors from Node's HTTP parser, then closes the connection. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const c = classify(err);
  const body = JSON.stringify({ error: { code: c.code, message: c.message } });
  const headers = Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${c.status} ${STATUS_CODES[c.status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
