import { ConfigError, formatProblem } from '../config/load.js';
import { ReleasebotError } from '../domain/errors.js';

/**
 * The CLI's exit codes (documented in docs/operations.md, "Starting and stopping"):
 * 0 done or stopped by a signal, 1 anything unexpected, 2 the configuration (fix the file or the
 * flags), 3 a dependency (store, port, Prometheus, Slack): fix or start that, then run again.
 */
export const EXIT = { ok: 0, failed: 1, config: 2, dependency: 3 } as const;

/** What a failure looks like to the person starting the bot: one line each, and the exit code. */
export interface Failure {
  exitCode: number;
  lines: string[];
}

interface NodeError extends Error {
  code?: string;
  address?: string;
  port?: number;
  errors?: unknown[];
}

/** The innermost system error (ECONNREFUSED, EADDRINUSE ...) behind `err`, looking through causes and AggregateErrors. */
function systemError(err: unknown, depth = 0): NodeError | undefined {
  if (!(err instanceof Error) || depth > 5) return undefined;
  const e = err as NodeError;
  if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e;
  for (const inner of [...(e.errors ?? []), e.cause]) {
    const found = systemError(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A short phrase for a system error: "connection refused (127.0.0.1:5432)". */
function describeSystemError(e: NodeError): string {
  const where = e.address ? ` (${e.address}${e.port ? `:${e.port}` : ''})` : '';
  const what: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    ETIMEDOUT: 'timed out',
    EACCES: 'permission denied',
    EADDRINUSE: 'address already in use',
    EADDRNOTAVAIL: 'address not available on this machine',
    ENOENT: 'no such file or directory',
  };
  return `${what[e.code ?? ''] ?? e.code}${where}`;
}

function listenFailure(e: NodeError): Failure {
  const where = `${e.address ?? 'the configured host'}:${e.port ?? '?'}`;
  const hint: Record<string, string> = {
    EADDRINUSE: 'stop whatever is using it, or pick another port with --port or server.port',
    EACCES: 'ports below 1024 need privileges: use a port such as 8080 (--port)',
    EADDRNOTAVAIL: 'use an address of this machine (--host or server.host; 127.0.0.1 or 0.0.0.0)',
  };
  return { exitCode: EXIT.dependency, lines: [`releasebot: cannot listen on ${where}: ${describeSystemError({ ...e, address: undefined } as NodeError)}; ${hint[e.code!]}`] };
}

/**
 * The store's failure in one line. An unreachable server is named by address (pg reports
 * ECONNREFUSED with an empty message inside a "migration unknown failed" wrapper); other errors
 * keep the database's own words.
 */
function storeFailure(err: ReleasebotError): Failure {
  const sys = systemError(err.cause);
  if (sys && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(sys.code!)) {
    return { exitCode: EXIT.dependency, lines: [`releasebot: store: cannot connect to the database: ${describeSystemError(sys)}; start it or fix store.url`] };
  }
  const message = err.message.replace(/^store migration unknown failed: (?:\w*Error: |error: )?/, 'cannot open the database: ');
  return { exitCode: EXIT.dependency, lines: [`releasebot: store: ${oneLine(message)}; check store.url and that the database user may create tables`] };
}

/** Messages from libraries sometimes span lines; a start-up failure is printed as one. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Turns anything thrown while starting into what to print and the exit code. Configuration
 * problems exit 2 (one line per problem, with file and line); an unreachable store or a port
 * that cannot be bound exit 3; anything else exits 1 and says how to see the stack trace.
 */
export function describeFailure(err: unknown): Failure {
  if (err instanceof ConfigError) return { exitCode: EXIT.config, lines: err.problems.map((p) => formatProblem(err.source, p)) };
  if (err instanceof ReleasebotError) {
    if (err.code === 'CONFIG_INVALID') return { exitCode: EXIT.config, lines: [`releasebot: configuration: ${oneLine(err.message)}`] };
    if (err.code === 'STORE_FAILED') return storeFailure(err);
    if (err.code === 'BACKEND_DOWN') return { exitCode: EXIT.dependency, lines: [`releasebot: ${oneLine(err.message)}`] };
  }
  const sys = systemError(err);
  if (sys && (sys.code === 'EADDRINUSE' || sys.code === 'EACCES' || sys.code === 'EADDRNOTAVAIL') && (sys as { syscall?: string }).syscall === 'listen') {
    return listenFailure(sys);
  }
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.failed, lines: [`releasebot: ${oneLine(message) || 'unexpected error'} (run again with --debug for the stack trace)`] };
}

/** True when `--debug` is on the command line: failures then print their stack trace too. */
export function debugRequested(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--debug');
}

/** Prints a failure (its stack trace too with --debug) and exits with its code. */
export function exitWithFailure(err: unknown, argv: readonly string[] = process.argv): never {
  const f = describeFailure(err);
  for (const line of f.lines) process.stderr.write(`${line}\n`);
  if (debugRequested(argv) && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
  process.exit(f.exitCode);
}
