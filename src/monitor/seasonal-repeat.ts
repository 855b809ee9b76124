import type { CheckConfig } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import type { Series } from '../metrics/source.js';
import { directedZ, spanMean, type SeasonalPasts } from './blame.js';
import { DAY_MS } from './fetch.js';

/**
 * Is a breach "the season" (pure)? The rule the detector replay (judge.ts) and the post-deploy
 * shift (deploy-signals.ts) share with blame.ts's own seasonal comparison: every past period that
 * can tell (1 d, 7 d ago) must show the same deviation, of about the same size and in the same
 * direction. Why: on the first days of data there is no week-ago window, and a bad build or an
 * incident at this time yesterday must not excuse today's bad build. Rules: docs/detection.md.
 */

/**
 * Today's deviation may be at most this many times the past period's (both in sigmas) and still
 * count as its repeat. Why 4: in `bench:deploys --situations` (seed 4242, 7 days) the daily 14:00
 * spike measured 0.4-1.8x the day before's in the detector replay and 0.5-2.6x in the post-deploy
 * shift (a Sunday's spike over the Saturday's), so 4 leaves room for the season's own spread; the
 * bad build it had excused (b119, |z| 43-47 over yesterday's unusual 1.5-1.9) was 25x.
 */
export const SEASONAL_SIZE_FACTOR = 4;

/**
 * Whether today's deviation repeats a past one (both signed, in sigmas): the same direction and at
 * most `SEASONAL_SIZE_FACTOR` times its size. An unknown size (undefined, NaN) repeats nothing.
 */
export function sameSizeRepeat(today: number | undefined, past: number | undefined): boolean {
  if (today === undefined || past === undefined || Number.isNaN(today) || Number.isNaN(past)) return false;
  if (today === 0 || past === 0 || Math.sign(today) !== Math.sign(past)) return false;
  return Math.abs(today) <= SEASONAL_SIZE_FACTOR * Math.abs(past);
}

/**
 * Whether the periods agree that it is the season: one answer per past period, undefined when that
 * period cannot tell (not fetched, too few points). True only when some period can tell and every
 * one that can shows the repeat; so missing evidence never drops a breach.
 */
export function everyPeriodRepeats(answers: Array<boolean | undefined>): boolean {
  const told = answers.filter((a): a is boolean => a !== undefined);
  return told.length > 0 && told.every(Boolean);
}

/**
 * True when the same shift happened over the same span of the day in every past period there
 * (the daily spike): that day's span since the deploy's time moved from the baseline span before
 * its judged window by at least half `detector.threshold` of today's sigmas in the check's
 * direction, and today's shift since the deploy (`series` from `from` on against `v.mean`) is of
 * about the same size (`sameSizeRepeat`). Why half: a spike whose alarm yesterday came at its
 * onset, before the span judged now, moves that day's span less than its peak.
 */
export function shiftRepeatsSeasonally(check: CheckConfig, series: Series, pasts: SeasonalPasts, v: Verdict, from: number, now: number): boolean {
  if (v.std === undefined || !(v.std > 0) || v.mean === undefined) return false;
  const std = v.std;
  const today = (spanMean(series, from, now).mean - v.mean) / std;
  const w = check.detector.window * 1000;
  const b = check.detector.baseline * 1000;
  const answers = ([[pasts.dayAgo, DAY_MS], [pasts.weekAgo, 7 * DAY_MS]] as const).map(([past, d]) => {
    if (!past) return undefined;
    const span = spanMean(past, from - d, now - d);
    const base = spanMean(past, now - d - w - b, now - d - w);
    if (span.n === 0 || base.n === 0) return undefined;
    const then = (span.mean - base.mean) / std;
    return directedZ(check, then) >= check.detector.threshold / 2 && sameSizeRepeat(today, then);
  });
  return everyPeriodRepeats(answers);
}
