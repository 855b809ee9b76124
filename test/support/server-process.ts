import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './prometheus-history.js';

/** A metrics server process started by a test or bench. */
export interface ServerProcess {
  url: string;
  pid: number | undefined;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s), then runs the cleanup given. */
  stop(): Promise<void>;
  /** The end of its stderr, for error messages. */
  stderr(): string;
}

/**
 * Starts `bin` with `args` and resolves once `GET url + readyPath` answers 2xx. If it is not ready
 * within `readyMs` it is stopped (cleanup included) and the error carries the end of its stderr.
 */
export async function startServer(o: {
  what: string;
  bin: string;
  args: string[];
  url: string;
  readyPath: string;
  readyMs: number;
  cleanup?: () => Promise<void>;
}): Promise<ServerProcess> {
  const child = spawn(o.bin, o.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collect(child);
  const stop = async () => {
    await stopChild(child);
    await o.cleanup?.();
  };
  try {
    await waitFor(`${o.what} ready on ${o.url}`, async () => (await fetch(`${o.url}${o.readyPath}`)).ok, o.readyMs);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; stderr: ${stderr().slice(-2000)}`);
  }
  return { url: o.url, pid: child.pid, stop, stderr };
}

/** Keeps the last output of a child for error messages. */
export function collect(child: ChildProcess): () => string {
  let buf = '';
  child.stderr?.on('data', (c: Buffer) => (buf = (buf + c.toString()).slice(-8000)));
  return () => buf;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
