import type { FastifyError, FastifyInstance } from 'fastify';
import type { ZodType, ZodTypeDef } from 'zod';
import { ReleasebotError, type ErrorCode } from '../domain/errors.js';

/** HTTP status for each error code the API can return. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BACKEND_DOWN: 503,
  STORE_FAILED: 503,
  NO_LEADER: 503,
};

/** The JSON body of every API error. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * Validates `value` with a zod schema; on failure throws BAD_REQUEST whose message names every
 * bad field by its path (e.g. `pullRequests.0.title: Required`).
 */
export function parseInput<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(root)', message: i.message }));
  const message = `invalid ${what}: ` + issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ReleasebotError('BAD_REQUEST', message, { issues });
}

/** Installs the error handler that maps ReleasebotError codes (and Fastify's own 4xx errors) to JSON responses. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ReleasebotError | Error, req, reply) => {
    let status = 500;
    let body: ApiErrorBody;
    if (err instanceof ReleasebotError) {
      status = STATUS[err.code] ?? 500;
      body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500) {
      // Fastify's own client errors (malformed JSON, body too large, unsupported media type).
      status = err.statusCode;
      body = { error: { code: status === 401 ? 'UNAUTHORIZED' : 'BAD_REQUEST', message: err.message } };
    } else {
      req.log.error({ err }, 'request failed');
      body = { error: { code: 'UNKNOWN', message: 'internal error' } };
    }
    void reply.status(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
