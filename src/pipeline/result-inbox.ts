import { asReleasebotError } from '../domain/errors.js';
import type { DeployRequest } from './deployer.js';

/** How a deploy step attempt ended, waiting to be recorded (trace) and fed to the reducer. */
export interface StepResult {
  req: DeployRequest;
  attempt: number;
  /** Undefined when it succeeded. */
  error?: string;
  /** The step's trace closes with this attempt (success, last retry, or cancelled). */
  final: boolean;
  endedAt: number;
}

/** The store's reachability as the runner last saw it. */
export interface StoreStatus {
  ok: boolean;
  /** Since when it has been failing (clock ms), while not ok. */
  since?: number;
  error?: string;
}

/**
 * Step results the store has not accepted yet. A result is never dropped: while the store is down it
 * waits here and `flush` (after every new result and on every tick) tries again, oldest first, until
 * it is recorded. Results of one key are recorded in order. Memory only: after a crash the step runs
 * again (the documented at-least-once), because its result never reached the state.
 */
export class ResultInbox {
  private readonly pending: StepResult[] = [];
  private flushing: Promise<void> | undefined;
  status: StoreStatus = { ok: true };

  constructor(
    private readonly record: (r: StepResult) => Promise<void>,
    private readonly now: () => number,
    private readonly log?: (line: string) => void,
  ) {}

  /** Keep `r` and try to record everything pending. */
  add(r: StepResult): Promise<void> {
    this.pending.push(r);
    return this.flush();
  }

  get size(): number {
    return this.pending.length;
  }

  /** Keys whose result is waiting here (so recovery does not run them again). */
  has(key: string): boolean {
    return this.pending.some((r) => r.req.key === key);
  }

  /** Record pending results, oldest first; stops at the first failure (the store is down) and keeps the rest. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Note the outcome of any store write, so the status tells the truth between results. */
  noteStore(error: unknown | undefined): void {
    if (error === undefined) {
      if (!this.status.ok) this.log?.(`pipeline: store reachable again; ${this.pending.length} step result(s) waiting`);
      this.status = { ok: true };
      return;
    }
    const message = asReleasebotError(error).message;
    if (this.status.ok) this.log?.(`pipeline: store unavailable, keeping step results until it is back: ${message}`);
    this.status = { ok: false, since: this.status.since ?? this.now(), error: message };
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      try {
        await this.record(this.pending[0]);
      } catch (e) {
        this.noteStore(e);
        return;
      }
      this.pending.shift();
    }
  }
}
