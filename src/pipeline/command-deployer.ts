import { spawn } from 'node:child_process';
import { DeployError } from '../domain/errors.js';
import { deployEnv } from './deploy-env.js';
import type { ProcessLedger } from './process-ledger.js';
import type { Deployer, DeployRequest } from './deployer.js';

export interface CommandDeployerOptions {
  /** Executable to run (no shell: use `sh` with `-c` in `args` for shell syntax). */
  command: string;
  /** Arguments before the request's own positional arguments. */
  args?: string[];
  timeoutSeconds: number;
  /** Variables set for the command (`deployer.env`); the command never inherits the bot's whole environment. */
  env?: Record<string, string>;
  /** Names of the bot's variables passed through (`deployer.passEnv`). */
  passEnv?: readonly string[];
  /** Where PATH, HOME and passEnv come from (default: this process's environment). */
  parentEnv?: NodeJS.ProcessEnv;
  /** Records step processes so a restarted bot never runs a key beside an orphan (see process-ledger.ts). */
  ledger?: ProcessLedger;
}

/** Keep this much of stderr for the error message: enough to see why, small enough for Slack. */
const STDERR_TAIL = 2000;

/** The request as positional arguments: build to deploy, stage, tier, AZs (comma-separated), percent, environment. */
export function commandArgs(req: DeployRequest): string[] {
  return [deployedBuild(req), req.stage, req.tier, req.azs.join(','), String(req.percent), req.environment];
}

/** The request as `RELEASEBOT_*` environment variables. */
export function commandEnv(req: DeployRequest): Record<string, string> {
  return {
    RELEASEBOT_BUILD_ID: deployedBuild(req),
    RELEASEBOT_STAGE: req.stage,
    RELEASEBOT_TIER: req.tier,
    RELEASEBOT_AZS: req.azs.join(','),
    RELEASEBOT_PERCENT: String(req.percent),
    RELEASEBOT_ENVIRONMENT: req.environment,
    RELEASEBOT_KIND: req.kind,
    RELEASEBOT_KEY: req.key,
    RELEASEBOT_ROLLBACK_OF: req.kind === 'rollback' ? req.buildId : '',
  };
}

/** The build the stage must run afterwards: for a rollback the last good build ('' when none is known). */
function deployedBuild(req: DeployRequest): string {
  return req.kind === 'rollback' ? (req.targetBuildId ?? '') : req.buildId;
}

/**
 * Runs a configured command per deploy step. Exit 0 = success. A non-zero exit rejects with
 * DEPLOY_FAILED (exit code and the tail of stderr); a timeout or abort kills the whole process
 * group (the command's children too) and rejects with DEPLOY_TIMEOUT.
 */
export class CommandDeployer implements Deployer {
  constructor(private readonly opts: CommandDeployerOptions) {}

  async deploy(req: DeployRequest, signal?: AbortSignal): Promise<void> {
    // A process from before a crash may still run this key: wait for it (or its timeout) first.
    await this.opts.ledger?.clear(req.key);
    return this.run(req, signal);
  }

  private run(req: DeployRequest, signal?: AbortSignal): Promise<void> {
    const args = [...(this.opts.args ?? []), ...commandArgs(req)];
    const env = deployEnv({ parent: this.opts.parentEnv ?? process.env, env: this.opts.env, passEnv: this.opts.passEnv }, commandEnv(req));
    // detached: the child leads its own process group, so a timeout can kill everything it started.
    const child = spawn(this.opts.command, args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid !== undefined) this.opts.ledger?.spawned(req.key, child.pid, this.opts.timeoutSeconds);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    return new Promise<void>((resolve, reject) => {
      let stoppedBy: string | undefined;
      const kill = (why: string) => {
        stoppedBy = why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone: nothing left to kill.
        }
      };
      const timer = setTimeout(() => kill(`timed out after ${this.opts.timeoutSeconds}s`), this.opts.timeoutSeconds * 1000);
      const onAbort = () => kill('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      child.on('error', (err) => {
        done();
        reject(new DeployError('DEPLOY_FAILED', `${req.kind} ${req.key}: cannot run ${this.opts.command}: ${err.message}`, { key: req.key }));
      });
      child.on('close', (code, sig) => {
        done();
        if (child.pid !== undefined) this.opts.ledger?.exited(req.key, child.pid);
        const details = { key: req.key, exitCode: code, signal: sig, stderr: stderr.trim() };
        if (stoppedBy) reject(new DeployError('DEPLOY_TIMEOUT', `${req.kind} ${req.key}: ${this.opts.command} ${stoppedBy}`, details));
        else if (code === 0) resolve();
        else reject(new DeployError('DEPLOY_FAILED', `${req.kind} ${req.key}: ${this.opts.command} exited with ${code ?? sig}: ${tail(stderr)}`, details));
      });
    });
  }
}

/** The last lines of stderr for a one-line message. */
function tail(stderr: string): string {
  const t = stderr.trim();
  return t.length > 300 ? '...' + t.slice(-300) : t || '(no stderr)';
}
