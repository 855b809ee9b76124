/**
 * One error base class with a string code (as bolt-js does), and a small subclass per failure.
 * `NO_DATA` is distinct from `BACKEND_DOWN`: "no traffic" is not "the backend is down",
 * and neither is "healthy".
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'NO_DATA'
  | 'BACKEND_DOWN'
  | 'QUERY_FAILED'
  | 'DEPLOY_FAILED'
  | 'DEPLOY_TIMEOUT'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'SLACK_SIGNATURE'
  | 'NOTIFY_FAILED'
  | 'STORE_FAILED'
  /** Replicas: no leader applied a command in time (nothing was done). */
  | 'NO_LEADER'
  | 'UNKNOWN';

export class ReleasebotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReleasebotError';
  }
}

export class NoDataError extends ReleasebotError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('NO_DATA', message, details);
  }
}

export class BackendDownError extends ReleasebotError {
  constructor(message: string, details?: Record<string, unknown>, cause?: unknown) {
    super('BACKEND_DOWN', message, details, { cause });
  }
}

export class DeployError extends ReleasebotError {
  constructor(code: 'DEPLOY_FAILED' | 'DEPLOY_TIMEOUT', message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}

/** Wraps anything thrown into a ReleasebotError, keeping the original as `cause`. */
export function asReleasebotError(err: unknown): ReleasebotError {
  if (err instanceof ReleasebotError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ReleasebotError('UNKNOWN', message, undefined, { cause: err });
}
