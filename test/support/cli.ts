import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** tsx as an absolute URL, so the CLI starts the same from any working directory. */
const TSX = import.meta.resolve('tsx');

/**
 * Node arguments that run the `releasebot` CLI from the sources (through tsx) in one process, as
 * `spawn(process.execPath, cliArgs('serve', ...))`: tests need no build and always run the code
 * under test. test/package.test.ts runs the compiled package instead.
 */
export function cliArgs(...args: string[]): string[] {
  return ['--import', TSX, `${ROOT}src/cli/main.ts`, ...args];
}

/** Runs the CLI to the end and returns its exit code and output. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(...args), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`releasebot ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms: ${stderr.slice(-1000)}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A stack trace line, which a start-up failure must never print without --debug. */
export const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;
