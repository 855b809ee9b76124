import type { Samples } from './check.js';
import { finiteMean } from './fused-loops.js';

/** Count, mean and (population) standard deviation of the finite values in a range. */
export interface RangeStats {
  count: number;
  mean: number;
  std: number;
}

/** First index whose timestamp is >= t (binary search; timestamps ascending). */
export function lowerBound(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose timestamp is > t (binary search; timestamps ascending). */
export function upperBound(ts: ArrayLike<number>, t: number): number {
  let hi = ts.length;
  // Why first: the judged window ends at `now`, at or after the newest sample (one read, not ~10).
  if (hi > 0 && ts[hi - 1] <= t) return hi;
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `upperBound(ts, t)`, trying `guess` first: when ts[guess - 1] <= t < ts[guess] (either side may
 * be an end) it is the answer, for ascending timestamps the only one; otherwise a binary search.
 * Why: a caller that judges the same series tick after tick finds its bounds where they were.
 */
export function upperBoundNear(ts: ArrayLike<number>, t: number, guess: number): number {
  const n = ts.length;
  if (guess >= 0 && guess <= n && (guess === 0 || ts[guess - 1] <= t) && (guess === n || ts[guess] > t)) return guess;
  return upperBound(ts, t);
}

/** Index range [start, end) of the samples with `from < t <= to`. */
export function indexRange(s: Samples, from: number, to: number): [number, number] {
  // Half-open on the left so that adjacent windows (baseline, judged) never share a point. Why
  // not lowerBound(from + epsilon): at epoch-millisecond magnitudes any epsilon below the float
  // spacing vanishes, which made every window [from, to).
  return [upperBound(s.timestamps, from), upperBound(s.timestamps, to)];
}

/**
 * Stats over values[start, end), skipping NaN and +-Infinity (gaps and broken scrapes).
 * Two-pass for accuracy; shifted by the first value to avoid cancellation on large levels.
 */
export function statsOf(values: ArrayLike<number>, start: number, end: number): RangeStats {
  let n = 0;
  let shift = NaN;
  let sum = 0;
  let sumSq = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (n === 0) shift = v;
    const d = v - shift;
    sum += d;
    sumSq += d * d;
    n++;
  }
  if (n === 0) return { count: 0, mean: NaN, std: NaN };
  const m = sum / n;
  const variance = Math.max(0, sumSq / n - m * m);
  return { count: n, mean: shift + m, std: Math.sqrt(variance) };
}

/** Stats of the samples with `from < t <= to`. */
export function rangeStats(s: Samples, from: number, to: number): RangeStats {
  const [a, b] = indexRange(s, from, to);
  return statsOf(s.values, a, b);
}

/**
 * Checks the Samples contract cheaply: parallel arrays, and timestamps ascending at both ends and
 * in the middle. O(1) on purpose: a full pass would cost as much as the statistics themselves,
 * and the contract (check.ts) already promises ascending times from the MetricsSource.
 */
export function validateSamples(s: Samples): string | undefined {
  const n = s.timestamps.length;
  if (n !== s.values.length) return `timestamps (${n}) and values (${s.values.length}) differ in length`;
  const t = s.timestamps;
  const mid = n >> 1;
  for (const i of [1, mid, n - 1]) {
    if (i > 0 && i < n && !(t[i] > t[i - 1])) return `timestamps not strictly ascending at index ${i}`;
  }
  return undefined;
}

/** Count and mean of the finite values of the samples with `from < t <= to` (one cheap pass, no squares). */
export function rangeMean(s: Samples, from: number, to: number): { count: number; mean: number } {
  const [a, b] = indexRange(s, from, to);
  // NaN and +-Infinity are gaps and broken scrapes, skipped (one cheap loop, no squares).
  return finiteMean(s.values, a, b);
}
