import type { CheckConfig } from '../config/schema.js';
import type { CheckInput, CheckResult, Samples } from '../detect/check.js';
import { evaluateCheck } from '../detect/evaluate-check.js';
import { upperBound } from '../detect/series-stats.js';
import type { Labels } from '../domain/events.js';
import type { Series } from '../metrics/source.js';
import { DAY_MS, labelsKey, type CheckData } from './fetch.js';
import type { DefaultDetectorState } from '../detect/default-state.js';
import type { Verdict } from '../detect/verdict.js';
import type { SeasonalPasts } from './blame.js';
import { everyPeriodRepeats, sameSizeRepeat } from './seasonal-repeat.js';

/** The verdicts on one series of one check at one moment. */
export interface SeriesJudgement extends CheckResult {
  labels: Labels;
  /** Finite samples inside the judged window (0: the series has no recent data). */
  recentSamples: number;
  /**
   * The anomaly breach repeats, at about its size, at the same time of day in every past period
   * fetched (1 d and 7 d ago; seasonal-repeat.ts): a seasonal pattern (the daily spike), not
   * something the deploy did. Set only when the anomaly breached.
   */
  seasonalRepeat?: boolean;
}

/** Options for judging a series. */
export interface JudgeOptions {
  /** Points of the judged window before this time are ignored (they predate the deploy). */
  judgeFrom?: number;
  /** Replay anomaly breaches on the seasonal windows (when given). */
  seasonalReplay?: boolean;
  /** Baseline statistics pushed down to the metrics server (push-down fetch mode, fetch.ts). */
  baseline?: { mean: number; std: number; count: number };
  /**
   * The series' default-detector state kept across ticks (detector-states.ts). Used only when no
   * point is masked: a masked judgement replays the fetched baseline instead.
   */
  state?: DefaultDetectorState;
}

function sliceSamples(s: Samples, from: number, to: number): Samples {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < s.timestamps.length; i++) {
    const t = s.timestamps[i];
    if (t > from && t <= to) {
      ts.push(t);
      vs.push(s.values[i]);
    }
  }
  return { timestamps: ts, values: vs };
}

/** Copy of the samples with values in (from, to) replaced by NaN (a gap the detectors skip). */
export function maskRange(s: Samples, from: number, to: number): Samples {
  const values = Array.from(s.values as ArrayLike<number>);
  for (let i = 0; i < s.timestamps.length; i++) if (s.timestamps[i] > from && s.timestamps[i] < to) values[i] = NaN;
  return { timestamps: s.timestamps, values };
}

/** Finite samples with from < t <= to. Why the binary search: the window is 20 of a series' 741 samples. */
function countFinite(s: Samples, from: number, to: number): number {
  const ts = s.timestamps;
  let n = 0;
  for (let i = upperBound(ts, from); i < ts.length && ts[i] <= to; i++) if (Number.isFinite(s.values[i])) n++;
  return n;
}

/** Builds the detector input for one series (the contract in src/detect/check.ts). */
export function checkInput(check: CheckConfig, samples: Samples, now: number, seasonal?: { dayAgo?: Series; weekAgo?: Series }): CheckInput {
  const input: CheckInput = {
    samples,
    now,
    direction: check.direction,
    detector: check.detector,
    dynamic: check.dynamic,
    dynamicWindowSeconds: check.dynamicWindow,
    margin: check.margin,
  };
  if (check.static !== undefined) input.static = check.static;
  if (check.dynamic === 'seasonal' && seasonal) {
    // The same history window as today's, shifted by a day and a week.
    const end = now - check.detector.window * 1000;
    const start = end - check.dynamicWindow * 1000;
    const past: NonNullable<CheckInput['seasonal']> = {};
    // ... and the judged window then: how far it stood out is the season's expected excursion.
    if (seasonal.dayAgo) {
      past.dayAgo = sliceSamples(seasonal.dayAgo, start - DAY_MS, end - DAY_MS);
      past.dayAgoWindow = sliceSamples(seasonal.dayAgo, end - DAY_MS, now - DAY_MS);
    }
    if (seasonal.weekAgo) {
      past.weekAgo = sliceSamples(seasonal.weekAgo, start - 7 * DAY_MS, end - 7 * DAY_MS);
      past.weekAgoWindow = sliceSamples(seasonal.weekAgo, end - 7 * DAY_MS, now - 7 * DAY_MS);
    }
    input.seasonal = past;
  }
  return input;
}

/**
 * True when the same anomaly rule breached (or found the series unusual) at the same time of day
 * in every past period there, 1 d and 7 d ago, with a deviation of about today's size in today's
 * direction (seasonal-repeat.ts). Why every period: on day 3 a bad build yesterday at this time
 * must not excuse today's. Like with like: when today's window is judged from `judgeFrom` on (the
 * points before the deploy masked), the past window is masked over the same span of the day.
 */
function repeatsSeasonally(check: CheckConfig, today: Verdict, now: number, seasonal: SeasonalPasts, judgeFrom?: number): boolean {
  const pasts: Array<[Series | undefined, number]> = [[seasonal.dayAgo, DAY_MS], [seasonal.weekAgo, 7 * DAY_MS]];
  const windowStart = now - check.detector.window * 1000;
  const answers = pasts.map(([past, offset]) => {
    if (!past || past.timestamps.length === 0) return undefined;
    const pastSamples = judgeFrom !== undefined && judgeFrom > windowStart ? maskRange(past, windowStart - offset, judgeFrom - offset) : past;
    const input: CheckInput = { ...checkInput({ ...check, dynamic: 'off', static: undefined }, pastSamples, now - offset) };
    const then = evaluateCheck(input).anomaly;
    // A past window too short to judge cannot tell (missing evidence drops nothing).
    if (then.kind !== 'pass' && then.kind !== 'breach') return undefined;
    // Why `unusual`: the default verdict breaches only beyond a minimum effect; a spike that was
    // unusual yesterday but just under that floor is still the same daily pattern.
    return (then.kind === 'breach' || then.unusual === true) && sameSizeRepeat(today.z, then.z);
  });
  return everyPeriodRepeats(answers);
}

/** Index of the seasonal series by label set. */
export function seasonalIndex(data: CheckData): { dayAgo: Map<string, Series>; weekAgo: Map<string, Series> } {
  const index = (list?: Series[]) => new Map((list ?? []).map((s) => [labelsKey(s.labels), s]));
  return { dayAgo: index(data.dayAgo), weekAgo: index(data.weekAgo) };
}

/** Judges one series of a check at `now`. Pure. */
export function judgeSeries(
  check: CheckConfig,
  series: Series,
  now: number,
  seasonal: { dayAgo?: Series; weekAgo?: Series } | undefined,
  opts: JudgeOptions = {},
): SeriesJudgement {
  const windowStart = now - check.detector.window * 1000;
  const samples: Samples =
    opts.judgeFrom !== undefined && opts.judgeFrom > windowStart ? maskRange(series, windowStart, opts.judgeFrom) : series;
  const masked = samples !== series;
  const input = checkInput(check, samples, now, seasonal);
  if (opts.baseline) input.baseline = opts.baseline;
  if (opts.state && !masked) input.detectorState = opts.state;
  const result = evaluateCheck(input);
  const j: SeriesJudgement = { labels: series.labels, recentSamples: countFinite(samples, windowStart, now), ...result };
  return opts.seasonalReplay ? withSeasonalRepeat(check, j, now, seasonal, masked ? opts.judgeFrom : undefined) : j;
}

/**
 * The judgement with `seasonalRepeat` set when its anomaly breached and the breach repeats in the
 * past periods (`judgeFrom`: today's window was judged from there on, see `repeatsSeasonally`).
 */
export function withSeasonalRepeat(
  check: CheckConfig,
  j: SeriesJudgement,
  now: number,
  seasonal: { dayAgo?: Series; weekAgo?: Series } | undefined,
  judgeFrom?: number,
): SeriesJudgement {
  if (!seasonal || j.anomaly.kind !== 'breach' || j.seasonalRepeat !== undefined) return j;
  return { ...j, seasonalRepeat: repeatsSeasonally(check, j.anomaly, now, seasonal, judgeFrom) };
}
