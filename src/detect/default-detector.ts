import type { Direction, Verdict } from './verdict.js';
import type { Samples } from './check.js';
import type { Guards } from './guards.js';
import { indexRange } from './series-stats.js';
import { StreamingDetector, SCORE_WARMUP_SAMPLES, type DefaultParams, type StepResult } from './streaming-detector.js';
import { DEFAULT_GUARDS } from './guards.js';
import { fmt } from './zscore.js';
import { plainDeviation, plainEffect } from './plain-reason.js';
import { baselineExtreme, beyond, largestMagnitude, negligible, sustained } from './blip.js';

/**
 * The default detector's one fixed configuration. Lengths are in samples, not seconds: NAB's
 * 5-minute series and production's 15-second scrapes both get a 288-sample baseline, which fits
 * inside the 3 h a check fetches at 15 s. Only the seasonal lag is a time (one day).
 */
export const DEFAULT_SHAPE = {
  baselineSamples: 288,
  shortWindowSamples: 3,
  slowWindowSamples: 24,
  weekly: true,
  scoreHistorySamples: 288,
  refractorySamples: 72,
  seasonSlackSamples: 1,
  clip: 3,
  zCap: 200,
  minZ: 0,
  minRelativeChange: 0.1,
  tailProbability: 1e-5,
  recordHalfLife: 9216,
  recordCap: 10,
  recordGrowth: 1.5,
} as const;

/** The default detector's parameters for a series sampled every `stepSeconds`. */
export function defaultParams(stepSeconds: number, direction: Direction, guards: Guards): DefaultParams {
  const d = DEFAULT_SHAPE;
  return {
    baseline: d.baselineSamples,
    shortWindow: d.shortWindowSamples,
    scoreHistory: d.scoreHistorySamples,
    refractory: d.refractorySamples,
    clip: d.clip,
    zCap: d.zCap,
    seasonLag: Math.round(86400 / stepSeconds),
    seasonSlack: d.seasonSlackSamples,
    // Why 5-minute slots: a week of raw 15 s samples would be 322 KB per series.
    weekSlot: d.weekly ? Math.max(1, Math.round(86400 / stepSeconds / 288)) : 0,
    slowWindow: d.slowWindowSamples,
    minZ: d.minZ,
    minRelativeChange: d.minRelativeChange,
    tailProbability: d.tailProbability,
    recordHalfLife: d.recordHalfLife,
    recordCap: d.recordCap,
    recordGrowth: d.recordGrowth,
    guards,
    direction,
  };
}

/** Median spacing of the timestamps in seconds (from the last 65 samples; 15 s if unknown). */
export function sampleStepSeconds(ts: ArrayLike<number>): number {
  const n = ts.length;
  const diffs: number[] = [];
  for (let i = Math.max(1, n - 65); i < n; i++) diffs.push(ts[i] - ts[i - 1]);
  if (diffs.length === 0) return 15;
  diffs.sort((a, b) => a - b);
  const m = diffs[diffs.length >> 1] / 1000;
  return m > 0 ? m : 15;
}

/**
 * What the default detector needs from the metrics backend: raw samples (it replays its state
 * point by point; it cannot be computed from pushed-down aggregates such as PromQL
 * avg/stddev_over_time), at least `warmupSamples` of them before the judged window to say anything
 * (guards' minimum plus the score history's warm-up and the short window; fewer: inconclusive),
 * and `fullSamples` for a full baseline. More history only sharpens it (the daily comparison needs
 * a day of samples, the alarm record builds up over days).
 */
export const DEFAULT_DETECTOR_HISTORY = {
  rawSamples: true,
  warmupSamples: DEFAULT_GUARDS.minSamples + SCORE_WARMUP_SAMPLES + DEFAULT_SHAPE.shortWindowSamples,
  fullSamples: DEFAULT_SHAPE.baselineSamples + SCORE_WARMUP_SAMPLES + DEFAULT_SHAPE.shortWindowSamples,
} as const;

/** Options of the default verdict (times in ms). */
export interface DefaultVerdictOptions {
  baselineMs: number;
  windowMs: number;
  direction: Direction;
  guards: Guards;
  /** Minimum effect: a breach needs a point at least this many sigmas out (`detector.threshold`, 3 by default). */
  minZ?: number;
}

/**
 * The default detector over arrays: replays the streaming detector over every sample up to `now`
 * (the same code the NAB backtest streams through) and breaches when it alarmed inside the judged
 * window (now-window, now] and the episode reached the minimum effect: a point at least `minZ`
 * sigmas out and `minRelativeChange` away from the usual level. Fewer than `minSamples` points
 * before the window: inconclusive. The reason says it in plain words.
 */
export function defaultVerdict(s: Samples, now: number, o: DefaultVerdictOptions, replayFrom?: number): Verdict {
  const [w0, w1] = indexRange(s, now - o.windowMs, now);
  const [b0] = indexRange(s, now - o.windowMs - o.baselineMs, now);
  if (w0 - b0 < o.guards.minSamples) {
    return { kind: 'inconclusive', rule: 'default', reason: `baseline has ${w0 - b0} samples, need ${o.guards.minSamples}` };
  }
  const step = sampleStepSeconds(s.timestamps);
  const det = new StreamingDetector(defaultParams(step, o.direction, o.guards));
  // `replayFrom`: the detector's state may start earlier than the baseline (default-state.ts).
  for (let i = Math.min(replayFrom ?? b0, b0); i < w0; i++) det.step(s.values[i]);
  return judgeDefaultWindow(det, s.values, b0, w0, w1, step, o);
}

/**
 * What `judgeDefaultWindow` needs of a detector: a `StreamingDetector`, or steps recorded from one
 * (default-state.ts). A step's result is read before the next step (it may be reused).
 */
export interface DefaultStepper extends Pick<StreamingDetector, 'isReady' | 'samplesToReady' | 'resetRefractory'> {
  step(x: number): WindowStep;
  /**
   * Optional shortcut for steps already recorded: the findings of the judged window values[w0, w1)
   * when none of its steps alarmed or reached `minZ` (exactly what stepping through it finds), else
   * undefined (then the window is stepped through). Steps nothing.
   */
  quietWindow?(values: ArrayLike<number>, w0: number, minZ: number): WindowFindings | undefined;
}

/** What the judged window reads of a step (`StepResult` without the short-term score). */
export type WindowStep = Readonly<Omit<StepResult, 'shortZ'>>;

/**
 * The default verdict from a detector standing just before the judged window values[w0, w1), the
 * baseline being values[b0, w0): steps it through the window and says what it found (the part of
 * `defaultVerdict` after the replay).
 */
export function judgeDefaultWindow(det: DefaultStepper, values: ArrayLike<number>, b0: number, w0: number, w1: number, step: number, o: DefaultVerdictOptions): Verdict {
  // Why: quieting repeated alarms is the monitor's job across ticks (grouping, quiet period);
  // an alarm replayed inside the baseline must not mask a breach in the judged window.
  det.resetRefractory();
  if (!det.isReady()) {
    return { kind: 'inconclusive', rule: 'default', reason: `the default detector needs ${det.samplesToReady()} more samples before the judged window` };
  }
  const minZ = o.minZ ?? 3;
  const w = det.quietWindow?.(values, w0, minZ) ?? judgeReplay(det, values, b0, w0, w1, minZ);
  if (!w) return { kind: 'inconclusive', rule: 'default', reason: 'no samples in the judged window' };
  const { value, mean, std, alarmed } = w;
  const threshold = Math.max(minZ, w.bar);
  const z = signedZ(value, mean, std);
  // Why lazily: the scan reads the whole baseline, and a kept state (default-state.ts) judges a
  // tick in O(new samples); most windows never need it (no point at minZ, no alarm).
  const noEffect = alarmed && negligible(value, mean, w.scale >= 0 ? w.scale : largestMagnitude(values, b0, w1));
  // The baseline's extreme matters only to an alarm at the minimum effect (breach or blip).
  const peak = alarmed && w.z >= minZ && !noEffect ? baselineExtreme(values, b0, w0, value, mean, o.direction) : NaN;
  const blipOnly = !sustained(w.run, step) && !beyond(value, peak, mean, o.direction);
  if (alarmed && w.z >= minZ && !blipOnly && !noEffect) {
    const reason = `${plainDeviation(value, mean, std, w.run * step)} (z=${fmt(z)}, beyond ${fmt(threshold)})`;
    return { kind: 'breach', rule: 'default', reason, value, mean, std, z, score: w.score, threshold, unusual: true };
  }
  const why = !alarmed
    ? 'within the usual range'
    : w.z < minZ || noEffect
      ? `unusual for this series but below the minimum effect of z ${fmt(minZ)}`
      : `a blip of ${w.run * step} s no larger than the baseline's own (${fmt(peak)})`;
  const reason = `${why}: at most ${plainEffect(value, mean)} (z=${fmt(z)}); usual ${fmt(mean)} +- ${fmt(std)}`;
  return alarmed
    ? { kind: 'pass', rule: 'default', reason, value, mean, std, z, score: w.score, threshold, unusual: true }
    : { kind: 'pass', rule: 'default', reason, value, mean, std, z, score: w.score, threshold };
}

/** What `judgeReplay` found in the judged window. */
export interface WindowFindings {
  /** The strongest point's value and its step's directed z, baseline, score and record bar. */
  value: number;
  z: number;
  mean: number;
  std: number;
  score: number;
  bar: number;
  alarmed: boolean;
  /** Consecutive samples at least minZ out, up to the strongest point (or the window's end). */
  run: number;
  /** `largestMagnitude` of values[b0, w1) when the scan needed it, else -1. */
  scale: number;
}

/**
 * Steps the detector through the judged window. Reports the strongest point (largest z) from the
 * first alarm on (or of the whole window when nothing alarmed) and how many consecutive samples
 * were at least `minZ` out (and more than rounding away, see `negligible`) up to it, or up to the
 * window's end when the episode is still going.
 */
function judgeReplay(det: DefaultStepper, values: ArrayLike<number>, b0: number, w0: number, w1: number, minZ: number): WindowFindings | undefined {
  let found = false;
  let value = NaN;
  let z = 0;
  let mean = 0;
  let std = 0;
  let score = 0;
  let bar = 0;
  let alarmed = false;
  let run = 0;
  let bestRun = 0;
  let scale = -1;
  for (let i = w0; i < w1; i++) {
    // The stepper may hand out one result object again and again (default-state.ts): read it now.
    const r = det.step(values[i]);
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    let out = r.z >= minZ;
    if (out) {
      if (scale < 0) scale = largestMagnitude(values, b0, w1);
      out = !negligible(x, r.mean, scale);
    }
    run = out ? run + 1 : 0;
    // Once an alarm fired, only points from it on describe the episode.
    const fresh = r.alarm && !alarmed;
    alarmed ||= r.alarm;
    if (!found || fresh || r.z > z) {
      found = true;
      value = x;
      z = r.z;
      mean = r.mean;
      std = r.std;
      score = r.score;
      bar = r.bar;
      bestRun = run;
    }
  }
  // An episode still going at the end of the window has lasted `run` samples so far.
  if (!found) return undefined;
  return { value, z, mean, std, score, bar, alarmed, run: Math.max(1, run > 0 && run >= bestRun ? run : bestRun), scale };
}

/** The signed z of a value (the step results carry the directed one). */
function signedZ(value: number, mean: number, std: number): number {
  return std > 0 ? (value - mean) / std : value === mean ? 0 : value > mean ? Infinity : -Infinity;
}
