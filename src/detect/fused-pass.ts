/**
 * One read of today's samples for everything a check needs from them: the z-score baseline
 * statistics, the dynamic threshold's history average and the judged window's average.
 *
 * The baseline (now-window-baseline, now-window] and the dynamic history (now-window-dynamic,
 * now-window] end at the same point, so the shorter is a suffix of the longer: the pass walks the
 * longer range once, feeding the shared suffix to both accumulators, then walks the judged window.
 * Each accumulator sees the same values in the same order as `statsOf` / `rangeMean` would, so
 * the results are bit-for-bit identical to the straightforward computation (tested).
 */
import type { RangeStats } from './series-stats.js';

/** What one fused pass yields. Counts and means are over finite values only (NaN, Inf skipped). */
export interface FusedStats {
  /** `statsOf(values, baseStart, end)`. */
  baseline: RangeStats;
  /** `rangeMean` over [dynStart, end). */
  dynamic: { count: number; mean: number };
  /** `rangeMean` over [end, windowEnd). */
  window: { count: number; mean: number };
}

/**
 * Index bounds of one fused pass: [baseStart, end) is the baseline, [dynStart, end) the dynamic
 * history, [end, windowEnd) the judged window. An empty range (start = end) is simply skipped.
 */
export interface FusedBounds {
  baseStart: number;
  dynStart: number;
  end: number;
  windowEnd: number;
}

/**
 * Sums carried between the loops (dynamic sum, shifted baseline sum, shifted sum of squares).
 * Why module scratch rather than returned objects: V8 compiles these small loop functions
 * tightly only when they return a plain number (measured ~1.7x slower otherwise). Never held
 * across calls, so `fusedPass` stays pure.
 */
const acc = new Float64Array(3);

/** Runs the fused pass over `values` (no copy, no per-element allocation). */
export function fusedPass(values: ArrayLike<number>, b: FusedBounds): FusedStats {
  const { end, windowEnd } = b;
  // Why clamp: a zero or negative window length must give an empty range, never overrun `end`.
  const baseStart = Math.min(b.baseStart, end);
  const dynStart = Math.min(b.dynStart, end);
  // The baseline is shifted by its first finite value (as in statsOf) to avoid cancellation.
  let first = baseStart;
  while (first < end && !Number.isFinite(values[first])) first++;
  const shift = first < end ? values[first] : NaN;
  acc.fill(0);
  // Head: the part of the longer range that the shorter one does not cover.
  const shared = Math.max(baseStart, dynStart);
  const head = baseStart < dynStart ? baselineLoop(values, first, shared, shift) : dynamicLoop(values, dynStart, shared);
  // Shared suffix: one load feeds both accumulators.
  const n = sharedLoop(values, shared, end, shift);
  const bn = n + (baseStart < dynStart ? head : 0);
  const dn = n + (baseStart < dynStart ? 0 : head);
  const m = acc[1] / bn;
  const baseline = bn > 0 ? { count: bn, mean: shift + m, std: Math.sqrt(Math.max(0, acc[2] / bn - m * m)) } : { count: 0, mean: NaN, std: NaN };
  const dynamic = { count: dn, mean: dn > 0 ? acc[0] / dn : NaN };
  const w = finiteMean(values, end, windowEnd);
  return { baseline, dynamic, window: w };
}

/**
 * `to`, but never past the array. Why: with the bound tied to `values.length`, V8 drops the
 * per-element bounds check (measured ~1.7x faster loops over Float64Array views).
 */
function clampEnd(values: ArrayLike<number>, to: number): number {
  const n = values.length;
  return to < n ? to : n;
}

// In the loops: v - v is 0 exactly for finite v, NaN for NaN and +-Infinity (gaps, broken scrapes).

/** Baseline-only range: shifted sum and sum of squares into acc[1], acc[2]; returns the count. */
function baselineLoop(values: ArrayLike<number>, from: number, to: number, shift: number): number {
  let n = 0;
  let bSum = acc[1];
  let bSq = acc[2];
  const end = clampEnd(values, to);
  for (let i = from; i < end; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const d = v - shift;
    bSum += d;
    bSq += d * d;
    n++;
  }
  acc[1] = bSum;
  acc[2] = bSq;
  return n;
}

/** Dynamic-only range: plain sum into acc[0]; returns the count. */
function dynamicLoop(values: ArrayLike<number>, from: number, to: number): number {
  const end = clampEnd(values, to);
  const fast = plainSum(values, from, end, acc[0]);
  // Why: a finite plain sum proves every value was finite, so it equals the checked loop's sum
  // (same values, same order); a gap (NaN) or Inf anywhere makes it non-finite: redo with checks.
  if (fast - fast === 0) {
    acc[0] = fast;
    return end > from ? end - from : 0;
  }
  let n = 0;
  let dSum = acc[0];
  for (let i = from; i < end; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    dSum += v;
    n++;
  }
  acc[0] = dSum;
  return n;
}

/** Shared range: continues all three sums in order; returns the count. */
function sharedLoop(values: ArrayLike<number>, from: number, to: number, shift: number): number {
  const end = clampEnd(values, to);
  if (sharedUnchecked(values, from, end, shift)) return end > from ? end - from : 0;
  let n = 0;
  let dSum = acc[0];
  let bSum = acc[1];
  let bSq = acc[2];
  for (let i = from; i < end; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    dSum += v;
    const d = v - shift;
    bSum += d;
    bSq += d * d;
    n++;
  }
  acc[0] = dSum;
  acc[1] = bSum;
  acc[2] = bSq;
  return n;
}

/**
 * The shared loop without the per-element finiteness test, kept only when every sum comes out
 * finite. Why that is exact: a NaN or Inf anywhere makes the plain sum non-finite, so finite sums
 * prove there was no gap, and then both loops add the same values in the same order.
 */
function sharedUnchecked(values: ArrayLike<number>, from: number, end: number, shift: number): boolean {
  let dSum = acc[0];
  let bSum = acc[1];
  let bSq = acc[2];
  for (let i = from; i < end; i++) {
    const v = values[i];
    dSum += v;
    const d = v - shift;
    bSum += d;
    bSq += d * d;
  }
  if (dSum - dSum !== 0 || bSum - bSum !== 0 || bSq - bSq !== 0) return false;
  acc[0] = dSum;
  acc[1] = bSum;
  acc[2] = bSq;
  return true;
}

/** Plain in-order sum of values[from, end) starting at `start` (NaN if any value is not finite). */
function plainSum(values: ArrayLike<number>, from: number, end: number, start: number): number {
  let sum = start;
  for (let i = from; i < end; i++) sum += values[i];
  return sum;
}

/** Count and mean of the finite values[start, end), summed in order (what `rangeMean` computes). */
export function finiteMean(values: ArrayLike<number>, start: number, end: number): { count: number; mean: number } {
  acc[0] = 0;
  const n = dynamicLoop(values, start, end);
  return { count: n, mean: n > 0 ? acc[0] / n : NaN };
}
