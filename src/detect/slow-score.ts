import { RollingMoments, upperTail } from './rolling-moments.js';

/** Slow scores the history must hold before their tail probability is trusted. */
const SLOW_WARMUP = 72;

/**
 * The slow score behind the default detector's second way to alarm: the mean z of the last
 * `window` points (a level shift or drift too small for the short score, held for a while), its
 * tail probability against its own history (lagged by the window, so an ongoing drift does not
 * inflate the spread it is judged against), and its own decaying record, kept like the short
 * score's.
 */
export class SlowScore {
  private readonly recent: Float64Array;
  /** The slow score of each of the last `window` steps, entering the history `window` steps late. */
  private readonly past: Float64Array;
  private readonly history: RollingMoments;
  private n = 0;
  private sum = 0;
  /** Decaying record of earlier slow scores. */
  record = 0;
  /** The last step's slow score. */
  value = 0;
  private trusted = false;

  constructor(window: number, historyLength: number) {
    this.recent = new Float64Array(window);
    this.past = new Float64Array(window);
    this.history = new RollingMoments(historyLength);
  }

  /** Takes the step's z; `ready`: the detector trusts its likelihoods. */
  step(z: number, ready: boolean): void {
    const L = this.recent.length;
    const h = this.n % L;
    if (this.n >= L) {
      this.sum -= this.recent[h];
      this.history.push(this.past[h]);
    }
    this.recent[h] = z;
    this.sum += z;
    this.n++;
    const value = this.sum / Math.min(this.n, L);
    this.past[h] = value;
    this.value = value;
    this.trusted = ready && this.history.count >= SLOW_WARMUP;
  }

  /**
   * 1 - the tail probability of the last slow score against the history (0 while warming up).
   * Why on demand: it costs an exp, and only a point that passes every other test asks for it.
   */
  score(): number {
    if (!this.trusted) return 0;
    const s = Math.max(this.history.std(), 0.05);
    return 1 - upperTail((this.value - this.history.mean()) / s);
  }

  /** Adds the last slow score to the record (decayed by `decay`, limited to max(cap, record * growth)). */
  updateRecord(decay: number, cap: number, growth: number): void {
    this.record = Math.max(this.record * decay, Math.min(this.value, Math.max(cap, this.record * growth)));
  }
}
