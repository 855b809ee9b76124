import type { Clock } from '../clock/clock.js';
import { DeployError } from '../domain/errors.js';
import type { Deployer, DeployRequest } from './deployer.js';

export interface SimulatedDeployerOptions {
  clock: Clock;
  /** How long one step takes, in the clock's time. */
  stepSeconds: number;
  /** Share of attempts that fail, decided by a hash of key and attempt number: deterministic across runs. */
  failRate?: number;
  /** Decide failure per request yourself (tests); wins over failRate. */
  failWhen?: (req: DeployRequest, attempt: number) => boolean;
  /** Called after a successful step, so a simulated fleet learns which build runs where. */
  onDeployed?: (req: DeployRequest) => void;
}

/** A deployer that only takes time: the demo's and the tests' stand-in for a real fleet. */
export class SimulatedDeployer implements Deployer {
  /** Every request it was asked to perform, in order (attempts included). */
  readonly calls: DeployRequest[] = [];
  private readonly attempts = new Map<string, number>();

  constructor(private readonly opts: SimulatedDeployerOptions) {}

  async deploy(req: DeployRequest, signal?: AbortSignal): Promise<void> {
    this.calls.push(req);
    const attempt = (this.attempts.get(req.key) ?? 0) + 1;
    this.attempts.set(req.key, attempt);
    // A zero-length step completes without touching the clock (a ManualClock would otherwise wait for advance()).
    if (this.opts.stepSeconds > 0) await abortable(this.opts.clock.sleep(this.opts.stepSeconds * 1000), signal);
    if (signal?.aborted) throw new DeployError('DEPLOY_TIMEOUT', `${req.kind} ${req.key}: aborted`, { key: req.key });
    if (this.fails(req, attempt)) {
      throw new DeployError('DEPLOY_FAILED', `${req.kind} ${req.key}: simulated failure (attempt ${attempt})`, { key: req.key });
    }
    this.opts.onDeployed?.(req);
  }

  private fails(req: DeployRequest, attempt: number): boolean {
    if (this.opts.failWhen) return this.opts.failWhen(req, attempt);
    const rate = this.opts.failRate ?? 0;
    return rate > 0 && hashUnit(`${req.key}#${attempt}`) < rate;
  }
}

/** Resolves with `p`, or as soon as `signal` aborts. */
function abortable(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void p.then(done);
  });
}

/** FNV-1a of `s`, mapped to [0, 1). */
function hashUnit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}
