import type { Direction, Verdict } from './verdict.js';
import type { Samples } from './check.js';
import { indexRange, rangeMean, rangeStats } from './series-stats.js';
import { fmt } from './zscore.js';
import { periodMean, type PeriodMean } from './period-mean.js';

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
  const t = level.threshold;
  // Why no helper closure: one per verdict was a visible share of evaluating 10,000 series.
  const valueBeyond = down ? value < t : value > t;
  const tm = p.trimmedMean;
  const breach = valueBeyond && (tm === undefined || (down ? tm < t : tm > t));
  // "average V [not] above|below <what>[ without its most extreme scrape]", from fixed words.
  const verb = down ? (breach ? ' below ' : ' not below ') : breach ? ' above ' : ' not above ';
  const head = `average ${fmt(value)}${verb}${level.what}`;
  const reason = !breach && valueBeyond ? `${head} without its most extreme scrape` : head;
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
  const seasonal = p.mode === 'seasonal' ? p.seasonal : undefined;
  // Each past history period is read once, for the level and for the excursion.
  const day = seasonal?.dayAgo ? pastMean(seasonal.dayAgo) : undefined;
  const week = seasonal?.weekAgo ? pastMean(seasonal.weekAgo) : undefined;
  const average = p.mode === 'seasonal' ? seasonalAverage(today.mean, day, week) : today.mean;
  const m = p.margin ?? DEFAULT_MARGIN;
  const noise = p.noiseStd !== undefined && Number.isFinite(p.noiseStd) ? m.sigmas * p.noiseStd : 0;
  const relative = m.relative * Math.abs(average);
  let margin = Math.max(relative, noise);
  // " (3 sigma)" or " (50%)", then " + B as the same window 1 d / 7 d ago stood out" when the season widened it.
  let why = marginWords(m, noise > relative);
  const expected = seasonal ? seasonalExcursion(seasonal, day, week, p) : undefined;
  if (expected !== undefined && expected > 0) {
    // Why added, not max: the season's excursion moves where the window is expected to be; noise
    // around that expectation still needs the ordinary margin on top.
    const by = expected * Math.abs(average);
    margin += by;
    why = `${why.slice(0, -1)} + ${fmt(by)} as the same window 1 d / 7 d ago stood out)`;
  }
  const down = p.direction === 'down';
  const moved = down ? average - margin : average + margin;
  const bySt = p.static !== undefined && (down ? p.static < moved : p.static > moved);
  const threshold = bySt ? (p.static as number) : moved;
  // "<mode> level A +|- margin M (why)", preceded by "static threshold T (above|below " (closed after it)
  // or by "<mode> threshold T = ". Why whole phrases rather than one template piece per word:
  // every verdict carries its reason, and each joined piece was a visible share of the bench.
  const seasonalMode = p.mode === 'seasonal';
  const lead = bySt ? 'static threshold ' : seasonalMode ? 'seasonal threshold ' : 'dynamic threshold ';
  // The static limit lies beyond the moved level in the check's direction: above it, or below for `down`.
  const beyondWord = down ? ' (below ' : ' (above ';
  const levelWord = bySt ? `${beyondWord}${seasonalMode ? 'seasonal level ' : 'dynamic level '}` : seasonalMode ? ' = seasonal level ' : ' = dynamic level ';
  const made = `${lead}${fmt(threshold)}${levelWord}${fmt(average)}${down ? ' - margin ' : ' + margin '}${fmt(margin)}${why}`;
  return { kind: 'level', threshold, average, what: bySt ? `${made})` : made };
}

/** The last margin's words (one entry: a check's series share their margin). */
let wordsFor: ThresholdMargin = { relative: NaN, sigmas: NaN };
let sigmaWords = '';
let relativeWords = '';

/** " (<sigmas> sigma)" or " (<relative as a whole percentage>%)": the margin's reason in force. */
function marginWords(m: ThresholdMargin, bySigma: boolean): string {
  if (m.relative !== wordsFor.relative || m.sigmas !== wordsFor.sigmas) {
    wordsFor = { relative: m.relative, sigmas: m.sigmas };
    sigmaWords = ` (${m.sigmas} sigma)`;
    relativeWords = ` (${Math.round(100 * m.relative)}%)`;
  }
  return bySigma ? sigmaWords : relativeWords;
}

/** Count and mean of a past period: all samples given are its window (the caller fetched that range). */
function pastMean(s: Samples): PeriodMean {
  return periodMean(s.values, s.timestamps.length);
}

/** Mean of today's history average and the averages of the past history windows given. */
function seasonalAverage(today: number, day: PeriodMean | undefined, week: PeriodMean | undefined): number {
  let sum = today;
  let periods = 1;
  if (day && day.count > 0) {
    sum += day.mean;
    periods++;
  }
  if (week && week.count > 0) {
    sum += week.mean;
    periods++;
  }
  return sum / periods;
}

/**
 * How far (in the bad direction) the past judged windows stood beyond their own history averages
 * (`day`, `week`: the means of `s.dayAgo`, `s.weekAgo`), as a share of those averages (a relative
 * change carries over from a quiet Sunday to a busy Monday): the smaller over the periods that have
 * both, so a bad hour a day ago alone does not widen today's margin. Undefined without any such
 * period (or with a zero history average).
 */
function seasonalExcursion(s: SeasonalPast, day: PeriodMean | undefined, week: PeriodMean | undefined, p: ThresholdParams): number | undefined {
  const d = day && s.dayAgoWindow ? excursion(day, pastMean(s.dayAgoWindow), p) : undefined;
  const w = week && s.weekAgoWindow ? excursion(week, pastMean(s.weekAgoWindow), p) : undefined;
  return d === undefined ? w : w === undefined ? d : Math.min(d, w);
}

/** One period's excursion (see seasonalExcursion), undefined when it cannot say. */
function excursion(h: PeriodMean, w: PeriodMean, p: ThresholdParams): number | undefined {
  if (h.count < p.minSamples || w.count === 0 || h.mean === 0) return undefined;
  return (p.direction === 'down' ? h.mean - w.mean : w.mean - h.mean) / Math.abs(h.mean);
}
