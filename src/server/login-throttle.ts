import type { Clock } from '../clock/clock.js';

/** Limits of the login throttle. */
export interface ThrottleOptions {
  /** Failures a client address may make before lockouts start. */
  freePerAddress: number;
  /** Failures against one user name before lockouts start (whatever the address). */
  freePerName: number;
  /** First lockout; each further failure doubles it. */
  baseLockMs: number;
  /** Longest lockout. */
  maxLockMs: number;
  /** A key with no failure for this long starts afresh. */
  forgetMs: number;
  /** Most keys remembered (oldest dropped first), so a flood of names cannot exhaust memory. */
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freePerAddress: 10,
  freePerName: 5,
  baseLockMs: 1000,
  maxLockMs: 15 * 60_000,
  forgetMs: 30 * 60_000,
  maxKeys: 50_000,
};

interface Entry {
  failures: number;
  lockedUntil: number;
  lastAt: number;
}

/**
 * Login throttling per client address and per user name: after a few free failures each failure
 * locks the key for twice as long as the last (1 s, 2 s, 4 s, ... up to 15 min). While locked
 * every attempt is refused, even with the right password, so guessing cannot outrun the lock.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock, private readonly o: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Milliseconds until an attempt from `address` for `name` may be tried (0: now). */
  retryAfterMs(address: string, name: string): number {
    const now = this.clock.now();
    const wait = (key: string) => Math.max(0, (this.get(key, now)?.lockedUntil ?? 0) - now);
    return Math.max(wait(addressKey(address)), wait(nameKey(name)));
  }

  /** Records a failed attempt; returns the lockout it started (0 while failures are still free). */
  failure(address: string, name: string): number {
    const now = this.clock.now();
    const a = this.bump(addressKey(address), this.o.freePerAddress, now);
    const n = this.bump(nameKey(name), this.o.freePerName, now);
    return Math.max(a, n);
  }

  /** A successful login clears the name's and the address's failures. */
  success(address: string, name: string): void {
    this.entries.delete(addressKey(address));
    this.entries.delete(nameKey(name));
  }

  private get(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.lastAt > this.o.forgetMs && e.lockedUntil <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private bump(key: string, free: number, now: number): number {
    const e = this.get(key, now) ?? { failures: 0, lockedUntil: 0, lastAt: now };
    e.failures++;
    e.lastAt = now;
    const over = e.failures - free;
    const lock = over > 0 ? Math.min(this.o.maxLockMs, this.o.baseLockMs * 2 ** Math.min(over - 1, 30)) : 0;
    if (lock > 0) e.lockedUntil = now + lock;
    // Re-insert so Map order is least-recently-failed first, then drop the oldest beyond the cap.
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.o.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    return lock;
  }
}

function addressKey(address: string): string {
  return `a:${address}`;
}

/** Names compare case-insensitively and bounded, so "Alice" and a 1 MB variant count against one key. */
function nameKey(name: string): string {
  return `n:${name.trim().toLowerCase().slice(0, 200)}`;
}
