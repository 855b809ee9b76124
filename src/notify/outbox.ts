import type { Clock } from '../clock/clock.js';
import type { OutboxEntry, Store } from '../store/store.js';
import type { Notification, Notifier } from './notification.js';
import { classifyDeliveryError } from './delivery-error.js';

export interface OutboxOptions {
  store: Store;
  clock: Clock;
  notifiers: Notifier[];
  /** Where failures are reported (one line each). Default: stderr. */
  log?: (line: string) => void;
  /** First retry delay after a 5xx / network error; doubles per attempt. Default 1 s. */
  baseBackoffMs?: number;
  /** Cap on the retry delay. Default 5 min. */
  maxBackoffMs?: number;
  /** Attempts before an entry that keeps failing transiently is given up (dead). Default 20 (about an hour). */
  maxAttempts?: number;
  /** Entries read per pass. Default 100. */
  batchSize?: number;
  /** Pause between passes of {@link Outbox.run}, in clock time. Default 1 s. */
  pollMs?: number;
}

export interface OutboxPassResult {
  sent: number;
  retried: number;
  dead: number;
  /** Due entries left for later because their target is paused (rate limit or an earlier failure). */
  deferred: number;
}

/**
 * Persisted, at-least-once delivery of notifications, so a slow or failing Slack never blocks a deploy.
 *
 * `enqueue` only writes rows (one per notifier that accepts the notification, idempotent on
 * target + `n.key`) and never throws. The worker (`runOnce` / `run`) delivers due rows in order per
 * target: 429 waits exactly `Retry-After`, 5xx and network errors back off exponentially, other
 * errors (4xx, `channel_not_found`...) are logged and the row marked dead.
 *
 * Exactly-once is not possible against Slack; the window is tiny: a row is marked sent right after the
 * notifier returns, so only a crash between Slack accepting a call and that one write re-sends it on
 * restart. The Slack notifier narrows it further by recording each message it posts in the KV store.
 */
export class Outbox {
  private readonly log: (line: string) => void;
  /** Per target: no delivery before this time (rate limit, or an earlier entry waiting for its retry). */
  private readonly pausedUntil = new Map<string, number>();
  /** Enqueues whose rows are being written. */
  private readonly writing = new Set<Promise<void>>();
  private pass?: Promise<OutboxPassResult>;
  private wakeUp?: () => void;

  constructor(private readonly o: OutboxOptions) {
    this.log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Stores `n` for every notifier that accepts it. Never rejects: a failing store is logged, not thrown into the deploy path. */
  enqueue(n: Notification): Promise<void> {
    const p = this.write(n).finally(() => this.writing.delete(p));
    this.writing.add(p);
    return p;
  }

  /** Resolves when every enqueue started so far has written its rows. */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }

  private async write(n: Notification): Promise<void> {
    const at = this.o.clock.now();
    for (const notifier of this.o.notifiers) {
      if (notifier.accepts && !notifier.accepts(n)) continue;
      try {
        await this.o.store.enqueueOutbox({ target: notifier.name, key: n.key, payload: n, at });
      } catch (err) {
        this.log(`outbox: could not enqueue ${n.type} ${n.key} for ${notifier.name}: ${(err as Error).message}`);
      }
    }
    this.wakeUp?.();
  }

  /** One delivery pass over due entries. Concurrent calls share the pass in progress. */
  runOnce(): Promise<OutboxPassResult> {
    this.pass ??= this.deliverDue().finally(() => (this.pass = undefined));
    return this.pass;
  }

  /** Delivers until `signal` aborts, waking early when something is enqueued. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.runOnce();
      } catch (err) {
        this.log(`outbox: delivery pass failed: ${(err as Error).message}`);
      }
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          this.wakeUp = undefined;
          resolve();
        };
        this.wakeUp = done;
        signal.addEventListener('abort', done);
        void this.o.clock.sleep(this.o.pollMs ?? 1000, signal).then(done);
      });
    }
  }

  private async deliverDue(): Promise<OutboxPassResult> {
    const now = this.o.clock.now();
    const due = await this.o.store.dueOutbox(now, this.o.batchSize ?? 100);
    // Oldest first by insertion: a retried entry must not be overtaken by a newer one of the same target.
    due.sort((a, b) => a.id - b.id);
    const result: OutboxPassResult = { sent: 0, retried: 0, dead: 0, deferred: 0 };
    for (const entry of due) {
      if ((this.pausedUntil.get(entry.target) ?? -Infinity) > now) {
        result.deferred++;
        continue;
      }
      const outcome = await this.deliver(entry, now);
      result[outcome]++;
    }
    return result;
  }

  private async deliver(entry: OutboxEntry, now: number): Promise<'sent' | 'retried' | 'dead'> {
    const notifier = this.o.notifiers.find((x) => x.name === entry.target);
    if (!notifier) {
      // Configuration changed since it was enqueued (e.g. Slack removed): nothing can ever send it.
      await this.o.store.markOutboxFailed(entry.id, `no notifier named ${entry.target}`, null);
      this.log(`outbox: dropping ${entry.key}: no notifier "${entry.target}" configured`);
      return 'dead';
    }
    try {
      await notifier.post(entry.payload as Notification);
    } catch (err) {
      return this.recordFailure(entry, err, now);
    }
    await this.o.store.markOutboxSent(entry.id);
    return 'sent';
  }

  private async recordFailure(entry: OutboxEntry, err: unknown, now: number): Promise<'retried' | 'dead'> {
    const failure = classifyDeliveryError(err);
    const attempt = entry.attempts + 1;
    const what = `${entry.target} ${entry.key} (attempt ${attempt})`;
    if (failure.kind === 'permanent' || (failure.kind === 'transient' && attempt >= (this.o.maxAttempts ?? 20))) {
      await this.o.store.markOutboxFailed(entry.id, failure.message, null);
      this.log(`outbox: giving up on ${what}: ${failure.message}`);
      return 'dead';
    }
    const delay =
      failure.kind === 'rate_limited'
        ? failure.retryAfterMs
        : Math.min((this.o.baseBackoffMs ?? 1000) * 2 ** (attempt - 1), this.o.maxBackoffMs ?? 300_000);
    const next = now + delay;
    await this.o.store.markOutboxFailed(entry.id, failure.message, next);
    // Hold the whole target: a rate limit applies to every call, and later messages must not overtake this one.
    this.pausedUntil.set(entry.target, next);
    this.log(`outbox: ${failure.kind === 'rate_limited' ? 'rate limited' : 'failed'} ${what}, retry in ${delay} ms: ${failure.message}`);
    return 'retried';
  }
}
