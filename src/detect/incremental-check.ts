import type { Direction, Verdict } from './verdict.js';
import type { Guards } from './guards.js';
import { judgeWindow, fmt } from './zscore.js';

/** Shapes of an incremental check, in samples (a fixed scrape step is assumed). */
export interface IncrementalShape {
  baseline: number;
  window: number;
  /** Samples averaged by the dynamic threshold (the same count for each seasonal period). */
  dynamic: number;
  threshold: number;
  direction: Direction;
  guards: Guards;
  static?: number;
}

/** Running sum / sum of squares of the finite values pushed in and taken out (O(1) per update). */
class Moments {
  n = 0;
  sum = 0;
  sumSq = 0;
  add(x: number, sign: 1 | -1): void {
    if (!Number.isFinite(x)) return;
    this.n += sign;
    this.sum += sign * x;
    this.sumSq += sign * x * x;
  }
  mean(): number {
    return this.n > 0 ? this.sum / this.n : NaN;
  }
  std(): number {
    if (this.n <= 0) return NaN;
    const m = this.sum / this.n;
    return Math.sqrt(Math.max(0, this.sumSq / this.n - m * m));
  }
}

/** A ring of the last `size` values; `push` returns the value that fell out (NaN while filling). */
class Ring {
  private readonly buf: Float64Array;
  private head = 0;
  constructor(readonly size: number) {
    this.buf = new Float64Array(size).fill(NaN);
  }
  push(x: number): number {
    const old = this.buf[this.head];
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.size;
    return old;
  }
  /** The value `k` pushes ago (0 = newest). */
  ago(k: number): number {
    return this.buf[(this.head - 1 - k + this.size * 2) % this.size];
  }
}

/**
 * The seed z-score rule and the seasonal dynamic threshold of one series, kept incrementally:
 * each tick adds one sample (and one for each seasonal period) in O(1) plus O(window) to judge
 * the window, instead of re-reading the 3 h baseline. Gives the same numbers as `evaluateCheck`
 * on a regular grid (up to floating-point rounding of the running sums).
 */
export class IncrementalCheck {
  private readonly recent: Ring;
  private readonly base = new Moments();
  private readonly dyn = new Moments();
  private readonly win = new Moments();
  private readonly day: Ring;
  private readonly week: Ring;
  private readonly dayM = new Moments();
  private readonly weekM = new Moments();
  private readonly scratch: Float64Array;

  constructor(readonly s: IncrementalShape) {
    this.recent = new Ring(s.window + Math.max(s.baseline, s.dynamic) + 1);
    this.day = new Ring(s.dynamic);
    this.week = new Ring(s.dynamic);
    this.scratch = new Float64Array(s.window);
  }

  /** Adds today's newest sample and, when seasonal, the samples one day and one week earlier. */
  push(x: number, dayAgo = NaN, weekAgo = NaN): void {
    const s = this.s;
    this.recent.push(x);
    this.win.add(x, 1);
    // The sample leaving the judged window joins the baseline and the dynamic history.
    const entering = this.recent.ago(s.window);
    this.win.add(entering, -1);
    this.base.add(entering, 1);
    this.dyn.add(entering, 1);
    this.base.add(this.recent.ago(s.window + s.baseline), -1);
    this.dyn.add(this.recent.ago(s.window + s.dynamic), -1);
    this.dayM.add(this.day.push(dayAgo), -1);
    this.dayM.add(dayAgo, 1);
    this.weekM.add(this.week.push(weekAgo), -1);
    this.weekM.add(weekAgo, 1);
  }

  /** The seed z-score verdict for the current window. */
  zscore(): Verdict {
    for (let k = 0; k < this.s.window; k++) this.scratch[k] = this.recent.ago(this.s.window - 1 - k);
    return judgeWindow(this.scratch, 0, this.s.window, this.base.mean(), this.base.std(), this.base.n, this.s, 'zscore');
  }

  /** The seasonal dynamic threshold verdict: window average against max(static, seasonal average). */
  seasonal(): Verdict {
    const value = this.win.mean();
    if (this.win.n === 0) return { kind: 'inconclusive', rule: 'seasonal', reason: 'no samples in the judged window' };
    if (this.dyn.n < this.s.guards.minSamples) {
      return { kind: 'inconclusive', rule: 'seasonal', reason: `history has ${this.dyn.n} samples, need ${this.s.guards.minSamples}`, value };
    }
    let sum = this.dyn.mean();
    let periods = 1;
    for (const m of [this.dayM, this.weekM]) if (m.n > 0) (sum += m.mean()), periods++;
    const avg = sum / periods;
    const down = this.s.direction === 'down';
    const st = this.s.static;
    const level = st === undefined ? avg : down ? Math.min(st, avg) : Math.max(st, avg);
    const breach = down ? value < level : value > level;
    const reason = `average ${fmt(value)} ${breach ? '' : 'not '}${down ? 'below' : 'above'} seasonal threshold ${fmt(level)}`;
    return { kind: breach ? 'breach' : 'pass', rule: 'seasonal', reason, value, mean: avg, threshold: level };
  }
}
