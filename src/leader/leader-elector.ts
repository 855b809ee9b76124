import type { Clock } from '../clock/clock.js';
import { asReleasebotError } from '../domain/errors.js';
import type { Fence, Store } from '../store/store.js';

export interface LeaderElectorOptions {
  store: Store;
  /** This process's unique id (host name and pid, say): a restarted replica must not reuse its predecessor's. */
  holder: string;
  clock: Clock;
  /** Lease time to live; a dead leader is replaced within it. Default 15 s. */
  ttlMs?: number;
  /** How often to renew (or try to take) the lease. Default a third of the TTL. */
  renewMs?: number;
  /** Lease name. Default "pipeline". */
  lease?: string;
  /** Became leader: start the pipeline and monitor with this fence on every state write. */
  onElected: (fence: Fence) => Promise<void>;
  /** Lost (or could not renew in time) the lease: stop the pipeline and monitor at once. */
  onDeposed: () => Promise<void>;
  log?: (line: string) => void;
}

/**
 * Leader election for replicas sharing one PostgreSQL store: a lease row with a fencing token
 * (store.acquireLease). The leader renews it every `renewMs`; another replica takes it once it has
 * expired (`ttlMs` after the last renewal), which raises the token, so every state write of the old
 * leader (fenced with the old token) fails from then on. A leader that cannot renew before its lease
 * would expire steps down by itself: it can no longer know that it is the leader.
 */
export class LeaderElector {
  private current: Fence | undefined;
  private renewedAt = 0;

  constructor(private readonly opts: LeaderElectorOptions) {}

  /** The fence while this replica leads, else undefined. */
  fence(): Fence | undefined {
    return this.current;
  }

  isLeader(): boolean {
    return this.current !== undefined;
  }

  /** One round: renew or try to take the lease, and switch roles when that changed. */
  async round(): Promise<void> {
    const ttl = this.opts.ttlMs ?? 15_000;
    const name = this.opts.lease ?? 'pipeline';
    const now = this.opts.clock.now();
    let lease;
    try {
      const call = this.opts.store.acquireLease(name, this.opts.holder, ttl, now);
      // A leader must know before its lease expires: a renewal that does not answer in time counts as failed.
      lease = this.current ? await this.within(call, this.stepDownAt() - now) : await call;
    } catch (e) {
      this.opts.log?.(`leader: cannot reach the store: ${asReleasebotError(e).message}`);
      if (this.current && this.opts.clock.now() >= this.stepDownAt()) await this.stepDown('could not renew the lease before it expires');
      return;
    }
    if (lease && !this.current) {
      this.current = { lease: name, holder: this.opts.holder, token: lease.token };
      this.renewedAt = now;
      this.opts.log?.(`leader: ${this.opts.holder} leads (token ${lease.token})`);
      try {
        await this.opts.onElected(this.current);
      } catch (e) {
        // Could not start leading (the store failed meanwhile): give the lease back rather than lead with nothing running.
        this.opts.log?.(`leader: could not start leading: ${asReleasebotError(e).message}`);
        await this.stepDown('its start failed');
        await this.opts.store.releaseLease(name, this.opts.holder).catch(() => undefined);
      }
    } else if (lease && this.current) {
      this.renewedAt = now;
      if (lease.token !== this.current.token) await this.stepDown('the lease token moved');
    } else if (!lease && this.current) {
      await this.stepDown('another replica holds the lease');
    }
  }

  /**
   * Rounds until `signal` aborts; gives the lease up on the way out so another replica need not wait.
   * A follower sleeps until the current lease expires (at most a renewal period), so it takes over
   * a dead leader's lease right after its TTL rather than up to a renewal period later.
   */
  async run(signal: AbortSignal): Promise<void> {
    const renew = this.opts.renewMs ?? (this.opts.ttlMs ?? 15_000) / 3;
    while (!signal.aborted) {
      await this.round().catch((e: unknown) => this.opts.log?.(`leader: ${asReleasebotError(e).message}`));
      // A leader whose renewal failed tries again in time to step down before its lease expires.
      const wait = this.current ? Math.min(renew, Math.max(10, this.stepDownAt() - this.opts.clock.now())) : await this.untilExpiry(renew);
      await this.opts.clock.sleep(wait, signal);
    }
    if (this.current) {
      await this.stepDown('shutting down');
      await this.opts.store.releaseLease(this.opts.lease ?? 'pipeline', this.opts.holder).catch(() => undefined);
    }
  }

  /** Stop leading now (a fenced write was refused: the lease moved); the next round may compete again. */
  async resign(why: string): Promise<void> {
    if (this.current) await this.stepDown(why);
  }

  /** When a leader that has not renewed since `renewedAt` steps down: at 80 % of the TTL, before anyone can take the lease. */
  private stepDownAt(): number {
    return this.renewedAt + (this.opts.ttlMs ?? 15_000) * 0.8;
  }

  /** `p`, or a rejection once `ms` of clock time passed. */
  private async within<T>(p: Promise<T>, ms: number): Promise<T> {
    const timer = new AbortController();
    const timeout = this.opts.clock.sleep(Math.max(0, ms), timer.signal).then(() => {
      throw new Error(`the store did not answer within ${Math.round(ms) / 1000} s`);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      timer.abort();
      timeout.catch(() => undefined);
    }
  }

  /** How long to wait before the next attempt to take the lease: until it expires (a little after), at most `renew`. */
  private async untilExpiry(renew: number): Promise<number> {
    const lease = await this.opts.store.readLease(this.opts.lease ?? 'pipeline').catch(() => undefined);
    if (!lease) return renew;
    return Math.min(renew, Math.max(10, lease.expiresAt - this.opts.clock.now() + 10));
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.current) return;
    this.opts.log?.(`leader: ${this.opts.holder} steps down (${why})`);
    this.current = undefined;
    await this.opts.onDeposed();
  }
}
