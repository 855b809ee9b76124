import type { Clock } from '../clock/clock.js';
import type { PipelineRunner } from '../pipeline/runner.js';
import type { Fence, Store } from '../store/store.js';
import { LeaderElector } from './leader-elector.js';

/** What runs while this replica leads: started on election, stopped at once when the lease is lost. */
export interface Term {
  runner: PipelineRunner;
  /** Stop the runner, the monitor, the outbox and the command inbox; no write after this resolves. */
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  store: Store;
  holder: string;
  clock: Clock;
  ttlMs: number;
  /** Start everything a leader runs, on `store` (the fenced view: every write checks the lease). */
  startTerm: (store: Store, fence: Fence) => Promise<Term>;
  /** Leadership changed (both ways). */
  onChange?: () => void;
  log?: (line: string) => void;
}

/**
 * One replica's part in leader election: while it holds the lease it runs a `Term` on a fenced view
 * of the store; it stops the term when the elector steps down (could not renew, or another replica
 * holds the lease) and also the moment any fenced write is refused, without waiting for the next
 * renewal round.
 */
export class Leadership {
  private term: Term | undefined;
  private readonly elector: LeaderElector;

  constructor(private readonly opts: LeadershipOptions) {
    this.elector = new LeaderElector({
      store: opts.store, holder: opts.holder, clock: opts.clock, ttlMs: opts.ttlMs, log: opts.log,
      onElected: async (fence) => {
        const fenced = opts.store.fenced(fence, () => void this.elector.resign('a write was refused: the lease moved'));
        this.term = await opts.startTerm(fenced, fence);
        opts.onChange?.();
      },
      onDeposed: async () => {
        const term = this.term;
        this.term = undefined;
        opts.onChange?.();
        await term?.stop();
      },
    });
  }

  /** The runner while leading. */
  runner(): PipelineRunner | undefined {
    return this.term?.runner;
  }

  role(): 'leader' | 'follower' {
    return this.term ? 'leader' : 'follower';
  }

  holder(): string {
    return this.opts.holder;
  }

  /** Compete for and keep the lease until `signal` aborts; then stop leading and give the lease up. */
  run(signal: AbortSignal): Promise<void> {
    return this.elector.run(signal);
  }

  /** Stop leading now and give the lease up, so another replica takes over at once (a clean shutdown). */
  async stop(): Promise<void> {
    const leading = this.term !== undefined;
    await this.elector.resign('shutting down');
    if (leading) await this.opts.store.releaseLease('pipeline', this.opts.holder).catch(() => undefined);
  }

  /** One election round (tests drive it on a manual clock). */
  round(): Promise<void> {
    return this.elector.round();
  }
}
