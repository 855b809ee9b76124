import type { CheckConfig } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import type { Series } from '../metrics/source.js';
import { directedZ, spanMean } from './blame.js';
import { DAY_MS } from './fetch.js';

/** The past series of one in-scope series, as fetched (timestamps as they were). */
export interface SeasonalWindows {
  dayAgo?: Series;
  weekAgo?: Series;
}

/** True when the same shift happened over the same span a day earlier (the daily spike). */
export function shiftRepeatsSeasonally(check: CheckConfig, _series: Series, pasts: SeasonalWindows, v: Verdict, from: number, now: number): boolean {
  const dayAgo = pasts.dayAgo;
  if (!dayAgo || v.std === undefined || !(v.std > 0)) return false;
  const d = DAY_MS;
  const span = spanMean(dayAgo, from - d, now - d);
  const base = spanMean(dayAgo, now - d - (check.detector.window + check.detector.baseline) * 1000, now - d - check.detector.window * 1000);
  if (span.n === 0 || base.n === 0) return false;
  return directedZ(check, (span.mean - base.mean) / v.std) >= check.detector.threshold / 2;
}
