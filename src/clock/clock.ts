/**
 * Time is always injected. Logic never reads Date.now() directly: the demo, the
 * simulator, backtests and tests run faster than real time through the same code.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /** Resolves after `ms` of this clock's time has passed. */
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
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
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.speed)));
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
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ at: this.t + Math.max(0, ms), resolve });
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
