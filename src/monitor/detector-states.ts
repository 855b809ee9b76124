import type { CheckConfig } from '../config/schema.js';
import { DefaultDetectorState } from '../detect/default-state.js';
import { checkSpanMs } from './fetch.js';

/**
 * The default detector's state per (check, series), kept across ticks so that a tick feeds each
 * series only its new samples (src/detect/default-state.ts) instead of replaying the fetched
 * baseline. A state not used for longer than its check's fetched span can no longer continue
 * (its last sample has left the window): `sweep` drops it, and the series starts over when it is
 * judged again. Memory: the detector's ring buffers, about 50 KB per series at 15 s samples
 * (dominated by the day of history behind the "same time yesterday" comparison).
 */
export class DetectorStates {
  private readonly states = new Map<string, DefaultDetectorState>();
  private readonly spans = new Map<string, number>();

  /** The state of one series of a check, created on first use; undefined for checks not on the default detector. */
  of(check: CheckConfig, seriesKey: string): DefaultDetectorState | undefined {
    if (check.detector.type !== 'default') return undefined;
    const key = `${check.name}\u0000${seriesKey}`;
    let s = this.states.get(key);
    if (!s) {
      s = new DefaultDetectorState();
      this.states.set(key, s);
      this.spans.set(check.name, checkSpanMs(check));
    }
    return s;
  }

  /** Drops the states that have not been used for longer than their check's fetched span. */
  sweep(now: number): void {
    for (const [key, s] of this.states) {
      const span = this.spans.get(key.slice(0, key.indexOf('\u0000'))) ?? 0;
      if (!(s.lastUsed >= now - span)) this.states.delete(key);
    }
  }

  /** States held, and how many times one started over (a gap, changed history). */
  figures(): { series: number; restarts: number } {
    let restarts = 0;
    for (const s of this.states.values()) restarts += s.restarts;
    return { series: this.states.size, restarts };
  }
}
