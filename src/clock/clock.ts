/**
 * Time is always injected. Logic never reads Date.now() directly: the demo, the
 * simulator, backtests and tests run faster than real time through the same code.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /**
   * Resolves after `ms` of this clock's time has passed, or as soon as `signal` aborts (at once if
   * it already has): loops that sleep between rounds stop without waiting out their sleep.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Waits for `p` (never rejects), but no longer than `ms` of `clock` time. */
export async function waitAtMost(clock: Clock, p: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([p.catch(() => undefined), clock.sleep(ms, timer.signal)]);
  timer.abort();
}

/** A timer of `wallMs` that also ends when `signal` aborts; the timer is cleared either way. */
function timerSleep(wallMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, wallMs));
    signal?.addEventListener('abort', done);
  });
}

/** Wall-clock time. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return timerSleep(ms, signal);
  }
}

/**
 * Virtual time running `speed` times faster than wall time, starting at `startMs`.
 * Used by the demo: an hour of simulated fleet passes in seconds.
 */
export class ScaledClock implements Clock {
  private readonly wallStart = Date.now();
  constructor(private readonly startMs: number, private readonly speed: number) {
    if (!(speed > 0)) throw new Error(`ScaledClock: speed must be > 0, got ${speed}`);
  }
  now(): number {
    return this.startMs + (Date.now() - this.wallStart) * this.speed;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return timerSleep(ms / this.speed, signal);
  }
}

/**
 * A clock that moves only when told to. Sleepers wake when `advance` passes their deadline.
 * Used by tests and by backtests that must be deterministic.
 */
export class ManualClock implements Clock {
  private sleepers: Array<{ at: number; resolve: () => void }> = [];
  constructor(private t: number = 0) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = { at: this.t + Math.max(0, ms), resolve: () => {
        signal?.removeEventListener('abort', wake);
        resolve();
      } };
      const wake = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', wake);
      this.sleepers.push(sleeper);
    });
  }
  /** Move time forward by `ms`, waking every sleeper whose deadline has passed. */
  async advance(ms: number): Promise<void> {
    this.set(this.t + ms);
    // Let woken sleepers run before the caller continues.
    await new Promise((r) => setImmediate(r));
  }
  set(t: number): void {
    this.t = t;
    const due = this.sleepers.filter((s) => s.at <= t);
    this.sleepers = this.sleepers.filter((s) => s.at > t);
    for (const s of due) s.resolve();
  }
}
