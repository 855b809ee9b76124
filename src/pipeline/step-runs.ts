import { asReleasebotError } from '../domain/errors.js';
import type { DeployRequest } from './deployer.js';
import type { CloseSummary } from './runner-deps.js';

/**
 * The deploy steps this process performs: one at a time per stage (so a rollback waits for the step
 * it cancelled to stop), each with its own abort signal. Once stopping, no step starts: one queued
 * behind another of its stage is handed over (the pipeline state keeps it in flight, so the next
 * start performs it), and so is any step aborted by `handOverAll`.
 */
export class StepRuns {
  private readonly running = new Map<string, AbortController>();
  private readonly stageTail = new Map<string, Promise<void>>();
  private readonly handedOver = new Set<string>();
  private stopping = false;

  constructor(private readonly log?: (line: string) => void) {}

  has(key: string): boolean {
    return this.running.has(key);
  }

  get size(): number {
    return this.running.size;
  }

  keys(): string[] {
    return [...this.running.keys()];
  }

  /**
   * Queue `body` behind the stage's previous step; undefined when not queued (the key runs already,
   * or stopping). `body` gets the step's signal and `ended`, to call once the deployer is done: from
   * then on the same key may be started again (a retry), while `body` records the result.
   */
  start(req: DeployRequest, body: (signal: AbortSignal, ended: () => void) => Promise<void>): Promise<void> | undefined {
    if (this.stopping || this.running.has(req.key)) return undefined;
    const ac = new AbortController();
    this.running.set(req.key, ac);
    const ended = () => {
      if (this.running.get(req.key) === ac) this.running.delete(req.key);
    };
    const prev = this.stageTail.get(req.stage) ?? Promise.resolve();
    const run = prev.then(async () => {
      if (this.stopping && !ac.signal.aborted) {
        // Queued when the stop began: handed over, nothing recorded.
        this.handedOver.add(req.key);
        return ended();
      }
      try {
        await body(ac.signal, ended);
      } finally {
        ended();
      }
    });
    this.stageTail.set(req.stage, run.catch((e) => this.log?.(`pipeline: ${asReleasebotError(e).message}`)));
    return run;
  }

  /** Abort the running steps for which `pred` holds (a rollback replaced them). */
  abortWhere(pred: (key: string) => boolean): void {
    for (const [key, ac] of this.running) if (pred(key)) ac.abort();
  }

  /** From now on no step starts. */
  stop(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Resolves when no step runs and those that ran have handled their results. */
  async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.stageTail.values()]);
  }

  /** Abort every step still running: each is handed over to the next start. */
  handOverAll(): void {
    for (const [key, ac] of this.running) {
      this.handedOver.add(key);
      ac.abort();
    }
  }

  /** Of the steps `inFlight` when the stop began: which finished, and which were handed over. */
  summary(inFlight: string[]): CloseSummary {
    return { finished: inFlight.filter((k) => !this.handedOver.has(k)), handedOver: [...this.handedOver] };
  }
}
