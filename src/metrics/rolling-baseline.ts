import type { GridRow, GridWindow } from './grid-window.js';
import type { BaselineStats } from './pushdown-baseline.js';
import { indexRange } from '../detect/series-stats.js';

/** The baseline a z-score check reads at `now`: samples with now - window - baseline < t <= now - window. */
export interface BaselineShape {
  baselineMs: number;
  windowMs: number;
}

/** Running sums of one series' baseline, shifted by a value of the series (as `statsOf` shifts) against cancellation. */
interface Sums {
  n: number;
  sum: number;
  sq: number;
  shift: number;
}

/** Rolls between two recomputations from the samples; bounds the rounding that adding and removing accumulates. */
const RECOMPUTE_EVERY = 120;

/**
 * The baseline statistics (mean, population standard deviation, count of finite samples) of every
 * series of a GridWindow, kept as running sums while the window moves: each tick adds the slots
 * that left the judged window and removes the ones that left the baseline, O(new slots) per
 * series instead of re-reading the whole baseline (720 samples for 3 h at 15 s). The same numbers
 * as `statsOf` over the same samples up to floating-point rounding (tested, and recomputed from
 * the samples every RECOMPUTE_EVERY rolls). Why here and not in the detector: the samples live in
 * the window cache, which knows which slots changed; the detector takes the result like a
 * pushed-down baseline (`CheckInput.baseline`).
 *
 * Protocol per tick: `roll(grid, now, rewriteFrom)` before the grid advances (the slots leaving
 * the baseline are still held then), the incremental fetch writes, then `settle(grid, now)`.
 * Anything irregular (a jump longer than the baseline, slots that will be rewritten entering the
 * baseline, a refill) makes `settle` recompute from the samples.
 */
export class RollingBaseline {
  private sums = new Map<GridRow, Sums>();
  private lo = NaN;
  private hi = NaN;
  private rolls = 0;
  /** The grid and its membership when `settle` last matched the sums to its series. */
  private settledGrid?: GridWindow;
  private settledMembership = NaN;

  constructor(
    readonly shape: BaselineShape,
    private readonly stepMs: number,
  ) {}

  /** Forget the sums (the grid was refilled): the next `settle` recomputes them. */
  reset(): void {
    this.sums.clear();
    this.lo = NaN;
    this.hi = NaN;
  }

  /** First and last slot time of the baseline at `now` (the judged window starts one step after the last). */
  range(now: number): [number, number] {
    const step = this.stepMs;
    return [firstSlotAfter(now - this.shape.windowMs - this.shape.baselineMs, step), firstSlotAfter(now - this.shape.windowMs, step) - step];
  }

  /**
   * Before the grid moves to `now`: carries the sums to the new range using the slots held now.
   * `rewriteFrom`: the first slot the coming fetch replaces (its slots must not enter the baseline).
   */
  roll(grid: GridWindow, now: number, rewriteFrom: number): void {
    const [lo, hi] = this.range(now);
    const step = this.stepMs;
    const ok =
      this.sums.size > 0 && this.rolls < RECOMPUTE_EVERY && lo >= this.lo && hi >= this.hi && hi < rewriteFrom && lo <= this.hi + step &&
      this.lo >= grid.startT && hi <= grid.endT;
    if (!ok) {
      this.sums.clear();
      this.rolls = 0;
    } else if (lo > this.lo || hi > this.hi) {
      const outA = grid.indexOf(this.lo);
      const outB = grid.indexOf(lo); // exclusive
      const inA = grid.indexOf(this.hi + step);
      const inB = grid.indexOf(hi) + 1; // exclusive
      for (const [row, s] of this.sums) {
        const v = row.values;
        for (let i = outA; i < outB; i++) remove(s, v[i]);
        for (let i = inA; i < inB; i++) add(s, v[i]);
      }
      this.rolls++;
    }
    this.lo = lo;
    this.hi = hi;
  }

  /** After the fetch: sums for series new to the grid (or all, after an irregular move); forgets series the grid dropped. */
  settle(grid: GridWindow, now: number): void {
    const [lo, hi] = this.range(now);
    if (lo !== this.lo || hi !== this.hi) this.sums.clear();
    this.lo = lo;
    this.hi = hi;
    // Why: on most ticks no series came or went; the sums then already hold exactly the grid's series.
    if (this.sums.size > 0 && grid === this.settledGrid && grid.membership === this.settledMembership && this.sums.size === grid.seriesCount) return;
    const held = grid.seriesCount > 0;
    const a = held ? grid.indexOf(Math.max(lo, grid.startT)) : 0;
    const b = held ? grid.indexOf(Math.min(hi, grid.endT)) + 1 : 0;
    const next = new Map<GridRow, Sums>();
    for (const row of grid.rowList()) next.set(row, this.sums.get(row) ?? fresh(row.values, a, b));
    this.sums = next;
    this.settledGrid = grid;
    this.settledMembership = grid.membership;
  }

  /** The baseline of one series of the grid (count 0, mean and std NaN when it has no finite sample there). */
  stats(row: GridRow): BaselineStats {
    const s = this.sums.get(row);
    if (!s || s.n <= 0) return { mean: NaN, std: NaN, count: 0 };
    const m = s.sum / s.n;
    return { mean: s.shift + m, std: Math.sqrt(Math.max(0, s.sq / s.n - m * m)), count: s.n };
  }
}

/**
 * The first slot time on the `step` grid that the detector counts as later than `x`: its own
 * boundary rule (`indexRange`, left-open) applied to the two slots around `x`, so that the
 * baseline summed here is exactly the one `evaluateCheck` would take from the samples, for any
 * magnitude of timestamps.
 */
function firstSlotAfter(x: number, step: number): number {
  const c = Math.floor(x / step) * step;
  return c + step * indexRange({ timestamps: [c, c + step], values: [NaN, NaN] }, x, x)[0];
}

/** The sums over values[a, b), as `statsOf` computes them (shift = first finite value). */
function fresh(values: Float64Array, a: number, b: number): Sums {
  const s: Sums = { n: 0, sum: 0, sq: 0, shift: NaN };
  for (let i = a; i < b; i++) add(s, values[i]);
  return s;
}

// v - v is 0 exactly for finite v, NaN for NaN and +-Infinity (gaps, broken scrapes): those are skipped, as the detector skips them.
function add(s: Sums, v: number): void {
  if (v - v !== 0) return;
  if (s.n === 0 && s.sum === 0 && s.sq === 0) s.shift = v;
  const d = v - s.shift;
  s.sum += d;
  s.sq += d * d;
  s.n++;
}

function remove(s: Sums, v: number): void {
  if (v - v !== 0) return;
  const d = v - s.shift;
  s.sum -= d;
  s.sq -= d * d;
  s.n--;
  if (s.n === 0) {
    // Why: an emptied baseline starts again from exact zeros (and a new shift), not from rounding residue.
    s.sum = 0;
    s.sq = 0;
  }
}
