import { Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock/clock.js';
import { ReleasebotError } from '../domain/errors.js';

/**
 * Ticks never hide slowness: each monitor tick's duration goes into the
 * `releasebot_monitor_tick_seconds` histogram, and a tick longer than the tick interval is logged.
 * (Ticks never overlap: `Monitor.run` starts the next one only after the last one returned.)
 */
export class TickTiming {
  readonly histogram = new Histogram({
    name: 'releasebot_monitor_tick_seconds',
    help: 'Duration of one monitor tick (fetch, judge, act), in seconds of the bot clock',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [],
  });

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Adds the histogram to a registry (the server's `/metrics`). */
  register(registry: Registry): void {
    registry.registerMetric(this.histogram);
  }

  /** Runs one tick, timing it; `describe` says what the tick did, for the slow-tick line. */
  async time<T>(fn: () => Promise<T>, describe: (r: T | undefined) => string): Promise<T> {
    const start = this.clock.now();
    let result: T | undefined;
    try {
      result = await fn();
      return result;
    } finally {
      const ms = this.clock.now() - start;
      this.histogram.observe(ms / 1000);
      if (ms > this.intervalMs) {
        this.log(`monitor: slow tick: took ${(ms / 1000).toFixed(1)} s, longer than the tick interval of ${(this.intervalMs / 1000).toFixed(0)} s (${describe(result)})`);
      }
    }
  }
}

/**
 * Resolves with `p`, or rejects with BACKEND_DOWN naming `what` once `wallMs` of wall time passed
 * (a query must answer within the tick; the bot clock may be virtual, a hung socket is not).
 * The timer is cleared when `p` settles and never keeps the process alive.
 */
export function withinTick<T>(p: Promise<T>, wallMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReleasebotError('BACKEND_DOWN', `${what}: no answer within the tick (${(wallMs / 1000).toFixed(0)} s)`, { timeoutMs: wallMs })), wallMs);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
