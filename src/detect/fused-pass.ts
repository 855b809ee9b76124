/**
 * One read of today's samples for everything a check needs from them: the z-score baseline
 * statistics, the dynamic threshold's history average, the margin's standard deviation over that
 * same history, and the judged window's average.
 *
 * The baseline (now-window-baseline, now-window] and the dynamic history (now-window-dynamic,
 * now-window] end at the same point, so the shorter is a suffix of the longer: the pass walks the
 * longer range once, feeding the shared suffix to every accumulator, then walks the judged window.
 * Each accumulator sees the same values in the same order as `statsOf` / `rangeMean` would, so
 * the results are bit-for-bit identical to the straightforward computation (tested).
 */
import type { RangeStats } from './series-stats.js';
import type { Direction } from './verdict.js';
import { acc, baselineLoop, dynamicLoop, dynamicNoiseLoop, finiteMean, sharedLoop, sharedNoiseLoop, windowLoop } from './fused-loops.js';

/** What one fused pass yields. Counts and means are over finite values only (NaN, Inf skipped). */
export interface FusedStats {
  /** `statsOf(values, baseStart, end)`. */
  baseline: RangeStats;
  /** `rangeMean` over [dynStart, end). */
  dynamic: { count: number; mean: number };
  /**
   * `statsOf(values, dynStart, end)` when `noise` was asked for (the threshold margin's standard
   * deviation), else undefined. The same object as `baseline` when both ranges are the same.
   */
  noise: RangeStats | undefined;
  /** `rangeMean` over [end, windowEnd). */
  window: { count: number; mean: number };
  /** `trimmedMean(values, end, windowEnd, trim)` when `trim` was given, else undefined. */
  trimmedMean: number | undefined;
}

/**
 * Index bounds of one fused pass: [baseStart, end) is the baseline, [dynStart, end) the dynamic
 * history, [end, windowEnd) the judged window. An empty range (start = end) is simply skipped.
 * `noise`: also the shifted statistics of the dynamic history (`FusedStats.noise`); `trim`: also the
 * judged window's mean without its most extreme value in that direction (`FusedStats.trimmedMean`).
 */
export interface FusedBounds {
  baseStart: number;
  dynStart: number;
  end: number;
  windowEnd: number;
  noise?: boolean;
  trim?: Direction;
}

/** Runs the fused pass over `values` (no copy, no per-element allocation). */
export function fusedPass(values: ArrayLike<number>, b: FusedBounds): FusedStats {
  const { end, windowEnd } = b;
  // Why clamp: a zero or negative window length must give an empty range, never overrun `end`.
  const baseStart = Math.min(b.baseStart, end);
  const dynStart = Math.min(b.dynStart, end);
  // The baseline is shifted by its first finite value (as in statsOf) to avoid cancellation.
  const first = firstFinite(values, baseStart, end);
  const shift = first < end ? values[first] : NaN;
  // Why separate sums only for different ranges: over the same range the baseline's are the noise's.
  const ownNoise = b.noise === true && dynStart !== baseStart;
  const nShift = ownNoise ? shiftOf(values, dynStart, end) : NaN;
  acc.fill(0);
  // Head: the part of the longer range that the shorter one does not cover.
  const shared = Math.max(baseStart, dynStart);
  const baseLonger = baseStart < dynStart;
  const head = baseLonger
    ? baselineLoop(values, first, shared, shift)
    : ownNoise
      ? dynamicNoiseLoop(values, dynStart, shared, nShift)
      : dynamicLoop(values, dynStart, shared);
  // Shared suffix: one load feeds every accumulator.
  const n = ownNoise ? sharedNoiseLoop(values, shared, end, shift, nShift) : sharedLoop(values, shared, end, shift);
  const bn = n + (baseLonger ? head : 0);
  const dn = n + (baseLonger ? 0 : head);
  const baseline = shiftedStats(bn, shift, acc[1], acc[2]);
  const dynamic = { count: dn, mean: dn > 0 ? acc[0] / dn : NaN };
  const noise = b.noise !== true ? undefined : ownNoise ? shiftedStats(dn, nShift, acc[3], acc[4]) : baseline;
  if (b.trim === undefined) return { baseline, dynamic, noise, window: finiteMean(values, end, windowEnd), trimmedMean: undefined };
  // The window's sum (acc[0]) is the in-order sum of its finite values, as both definitions take it.
  const wn = windowLoop(values, end, windowEnd, b.trim === 'down');
  const window = { count: wn, mean: wn > 0 ? acc[0] / wn : NaN };
  return { baseline, dynamic, noise, window, trimmedMean: wn >= 2 ? (acc[0] - acc[1]) / (wn - 1) : undefined };
}

/** `statsOf`'s result from its shifted sums (the same arithmetic). */
function shiftedStats(n: number, shift: number, sum: number, sumSq: number): RangeStats {
  if (n === 0) return { count: 0, mean: NaN, std: NaN };
  const m = sum / n;
  return { count: n, mean: shift + m, std: Math.sqrt(Math.max(0, sumSq / n - m * m)) };
}

/** Index of the first finite value of [from, end), or `end`. */
function firstFinite(values: ArrayLike<number>, from: number, end: number): number {
  let i = from;
  while (i < end && !Number.isFinite(values[i])) i++;
  return i;
}

/** The first finite value of [from, end) (statsOf's shift), NaN without one. */
function shiftOf(values: ArrayLike<number>, from: number, end: number): number {
  const i = firstFinite(values, from, end);
  return i < end ? values[i] : NaN;
}
