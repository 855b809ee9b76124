import type { Direction } from './verdict.js';

/**
 * How long an episode must last to count as a change rather than a blip (and at least two samples):
 * longer than one event stays in a `rate(x[1m])` series scraped every 15 s (4-5 samples).
 * A blip is a breach only when it goes beyond every sample of the series' own baseline in its
 * direction: a one-scrape bump of a quiet counter (one failed job, one 500) is what such a series
 * does every hour, however unlikely it looks against a mean and deviation made mostly of zeros.
 */
export const SUSTAINED_SECONDS = 120;

/** Did the episode last long enough to be a change (`run` samples of `stepSeconds`)? */
export function sustained(run: number, stepSeconds: number): boolean {
  return run >= 2 && run * stepSeconds >= SUSTAINED_SECONDS;
}

/**
 * The most extreme finite baseline sample in the direction of `value` from `mean` (the maximum for
 * a rise, the minimum for a fall; `up` and `down` look one way only). NaN when the range has none.
 */
export function baselineExtreme(values: ArrayLike<number>, from: number, to: number, value: number, mean: number, direction: Direction): number {
  const rise = direction === 'up' || (direction === 'both' && value >= mean);
  let ext = NaN;
  for (let i = from; i < to; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    if (Number.isNaN(ext) || (rise ? x > ext : x < ext)) ext = x;
  }
  return ext;
}

/** Is `value` beyond `extreme` in its direction (a rise above the highest, a fall below the lowest)? */
export function beyond(value: number, extreme: number, mean: number, direction: Direction): boolean {
  if (Number.isNaN(extreme)) return true;
  const rise = direction === 'up' || (direction === 'both' && value >= mean);
  return rise ? value > extreme : value < extreme;
}

/**
 * Is the deviation of `value` from `mean` below the arithmetic's own noise? Running sums over a
 * series of zeros and a few bumps leave a mean like -3.7e-19: a zero read against it is no effect,
 * whatever z the relative deviation floor gives it. `scale`: the largest magnitude in the baseline.
 */
export function negligible(value: number, mean: number, scale: number): boolean {
  return Math.abs(value - mean) <= 1e-9 * Math.max(Math.abs(value), Math.abs(mean), scale);
}

/** The largest finite magnitude in values[from, to) (0 when there is none). */
export function largestMagnitude(values: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) {
    const x = Math.abs(values[i]);
    if (x > m && Number.isFinite(x)) m = x;
  }
  return m;
}
