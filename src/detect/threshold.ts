import type { Direction, Verdict } from './verdict.js';
import type { Samples } from './check.js';
import { indexRange, rangeMean, rangeStats } from './series-stats.js';
import { fmt } from './zscore.js';
import { periodMean } from './period-mean.js';

/**
 * How far beyond the dynamic or seasonal level a window's average must lie to breach: the larger of
 * `relative` x |level| and `sigmas` x the standard deviation of the series over the same history
 * the level averages (the dynamic window).
 */
export interface ThresholdMargin {
  relative: number;
  sigmas: number;
}

/**
 * Default margin: 50% of the level or 3 baseline sigmas, whichever is larger. Chosen on a realistic
 * multi-day fleet (daily cycle of +-35%, weekend dip, a daily spike, Poisson noise at low volume):
 * healthy series breach well under 1% of the time with it (bench/threshold-margin-bench.ts, and the
 * real-Prometheus test in test/threshold-margin-prometheus.test.ts), while a bad change that doubles
 * a metric still breaches. docs/detection.md has the figures.
 */
export const DEFAULT_MARGIN: ThresholdMargin = { relative: 0.5, sigmas: 3 };

/** The past windows a seasonal threshold reads (timestamps as they were). */
export interface SeasonalPast {
  /** The history window one day and seven days earlier (averaged into the level). */
  dayAgo?: Samples;
  weekAgo?: Samples;
  /**
   * The judged window one day and seven days earlier. When given, how far that window stood beyond
   * its own history average (the daily spike) widens the margin: the season expects it.
   */
  dayAgoWindow?: Samples;
  weekAgoWindow?: Samples;
}

/** Parameters of the threshold rules (times in ms). */
export interface ThresholdParams {
  /** Static level, if configured. */
  static?: number;
  mode: 'off' | 'dynamic' | 'seasonal';
  /** Length of the judged window: its average is compared with the threshold. */
  windowMs: number;
  /** Length of the history averaged by the dynamic threshold. */
  dynamicWindowMs: number;
  direction: Direction;
  /** Minimum finite samples in the judged window / averaged history. */
  minSamples: number;
  seasonal?: SeasonalPast;
  /** Margin beyond the dynamic/seasonal level (default `DEFAULT_MARGIN`). */
  margin?: ThresholdMargin;
  /** Standard deviation of the series over the dynamic window (for `margin.sigmas`); NaN or absent: not used. */
  noiseStd?: number;
  /** The judged window's mean without its most extreme value (`trimmedMean`); must breach too when given. */
  trimmedMean?: number;
}

/**
 * Static, dynamic and seasonal threshold rule.
 * - static: the threshold is the configured value;
 * - dynamic: level = average over (now-window-dynamic, now-window]; threshold = max(static, level + margin)
 *   (min(static, level - margin) for direction `down`);
 * - seasonal: as dynamic, but the level is the mean of the averages of today's history and of the
 *   same history one day and seven days ago (each period weighs the same); and when the past judged
 *   windows are given, the margin grows by how far they stood beyond their own history, as a share
 *   of the level (the smaller of the two, so one bad day a day ago does not excuse today).
 * The judged value is the average of the judged window (now-window, now], so one noisy scrape does
 * not breach. Thresholds are levels: direction `down` breaches below, `up` and `both` above.
 * Without `noiseStd`, it is the std of the same history the level averages.
 */
export function thresholdVerdict(s: Samples, now: number, p: ThresholdParams): Verdict {
  const judged = rangeMean(s, now - p.windowMs, now);
  const end = now - p.windowMs;
  // Why only when dynamic: the static rule needs no history, so do not read it.
  const history = p.mode === 'off' ? { count: 0, mean: NaN } : rangeMean(s, end - p.dynamicWindowMs, end);
  const noiseStd = p.noiseStd ?? (p.mode !== 'off' ? rangeStats(s, end - p.dynamicWindowMs, end).std : undefined);
  const [a, b] = indexRange(s, now - p.windowMs, now);
  return thresholdFromMeans(judged, history, { ...p, noiseStd, trimmedMean: p.trimmedMean ?? trimmedMean(s.values, a, b, p.direction) });
}

/**
 * Mean of the finite values of [a, b) without the most extreme one in the bad direction (the
 * largest for `up` and `both`, the smallest for `down`); undefined with fewer than two values.
 * A window breaches only when this breaches too: one scrape (one failed job in a quiet hour) never does.
 */
export function trimmedMean(values: ArrayLike<number>, a: number, b: number, direction: Direction): number | undefined {
  let sum = 0;
  let n = 0;
  let extreme = direction === 'down' ? Infinity : -Infinity;
  for (let i = a; i < b; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    sum += v;
    n++;
    extreme = direction === 'down' ? Math.min(extreme, v) : Math.max(extreme, v);
  }
  return n >= 2 ? (sum - extreme) / (n - 1) : undefined;
}

/** Count and mean of the finite values of a range. */
export interface RangeMean {
  count: number;
  mean: number;
}

/**
 * The threshold rule from precomputed averages: `judged` over (now-window, now] and `history`
 * over (now-window-dynamic, now-window] (ignored when `mode` is `off`). Lets `evaluateCheck`
 * take both from its single fused pass; `thresholdVerdict` is the straightforward equivalent.
 */
export function thresholdFromMeans(judged: RangeMean, history: RangeMean, p: ThresholdParams): Verdict {
  const rule = p.mode === 'off' ? 'static' : p.mode;
  if (judged.count === 0) return { kind: 'inconclusive', rule, reason: 'no samples in the judged window' };
  const level = levelOf(history, p);
  if (level.kind === 'none') return { kind: 'inconclusive', rule, reason: level.reason, value: judged.mean };
  const down = p.direction === 'down';
  const value = judged.mean;
  const beyond = (x: number) => (down ? x < level.threshold : x > level.threshold);
  const breach = beyond(value) && (p.trimmedMean === undefined || beyond(p.trimmedMean));
  const cmp = down ? 'below' : 'above';
  const oneScrape = !breach && beyond(value) ? ' without its most extreme scrape' : '';
  const reason = `average ${fmt(value)} ${breach ? '' : 'not '}${cmp} ${level.what}${oneScrape}`;
  const v: Verdict = { kind: breach ? 'breach' : 'pass', rule, reason, value, threshold: level.threshold };
  if (level.average !== undefined) v.mean = level.average;
  if (p.noiseStd !== undefined && Number.isFinite(p.noiseStd) && p.mode !== 'off') v.std = p.noiseStd;
  return v;
}

type Level = { kind: 'level'; threshold: number; average?: number; what: string } | { kind: 'none'; reason: string };

/** The threshold in force (with a description of how it was made), or why there is none. */
function levelOf(today: RangeMean, p: ThresholdParams): Level {
  if (p.mode === 'off') {
    if (p.static === undefined) return { kind: 'none', reason: 'no static threshold configured' };
    return { kind: 'level', threshold: p.static, what: `static threshold ${fmt(p.static)}` };
  }
  if (today.count < p.minSamples) {
    return { kind: 'none', reason: `history has ${today.count} samples, need ${p.minSamples}` };
  }
  const average = p.mode === 'seasonal' ? seasonalAverage(today.mean, p.seasonal) : today.mean;
  const m = p.margin ?? DEFAULT_MARGIN;
  const noise = p.noiseStd !== undefined && Number.isFinite(p.noiseStd) ? m.sigmas * p.noiseStd : 0;
  const relative = m.relative * Math.abs(average);
  let margin = Math.max(relative, noise);
  let why = noise > relative ? `${m.sigmas} sigma` : `${Math.round(100 * m.relative)}%`;
  const expected = p.mode === 'seasonal' ? seasonalExcursion(p) : undefined;
  if (expected !== undefined && expected > 0) {
    // Why added, not max: the season's excursion moves where the window is expected to be; noise
    // around that expectation still needs the ordinary margin on top.
    const by = expected * Math.abs(average);
    margin += by;
    why += ` + ${fmt(by)} as the same window 1 d / 7 d ago stood out`;
  }
  const down = p.direction === 'down';
  const moved = down ? average - margin : average + margin;
  const bySt = p.static !== undefined && (down ? p.static < moved : p.static > moved);
  const threshold = bySt ? (p.static as number) : moved;
  const made = `${p.mode} level ${fmt(average)} ${down ? '-' : '+'} margin ${fmt(margin)} (${why})`;
  const what = bySt ? `static threshold ${fmt(threshold)} (above ${made})` : `${p.mode} threshold ${fmt(threshold)} = ${made}`;
  return { kind: 'level', threshold, average, what };
}

/** Mean of today's history average and the averages of the past history windows given. */
function seasonalAverage(today: number, past: SeasonalPast | undefined): number {
  let sum = today;
  let periods = 1;
  for (const s of [past?.dayAgo, past?.weekAgo]) {
    if (!s) continue;
    // Why: all samples given for a past period are its window (the caller fetched that range).
    const st = periodMean(s.values, s.timestamps.length);
    if (st.count > 0) {
      sum += st.mean;
      periods++;
    }
  }
  return sum / periods;
}

/**
 * How far (in the bad direction) the past judged windows stood beyond their own history averages,
 * as a share of those averages (a relative change carries over from a quiet Sunday to a busy
 * Monday): the smaller over the periods that have both, so a bad hour a day ago alone does not widen
 * today's margin. Undefined without any such period (or with a zero history average).
 */
function seasonalExcursion(p: ThresholdParams): number | undefined {
  const s = p.seasonal;
  if (!s) return undefined;
  let out: number | undefined;
  for (const [hist, win] of [[s.dayAgo, s.dayAgoWindow], [s.weekAgo, s.weekAgoWindow]] as const) {
    if (!hist || !win) continue;
    const h = periodMean(hist.values, hist.timestamps.length);
    const w = periodMean(win.values, win.timestamps.length);
    if (h.count < p.minSamples || w.count === 0 || h.mean === 0) continue;
    const d = (p.direction === 'down' ? h.mean - w.mean : w.mean - h.mean) / Math.abs(h.mean);
    out = out === undefined ? d : Math.min(out, d);
  }
  return out;
}
