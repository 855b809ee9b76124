import type { Direction, Verdict } from './verdict.js';
import type { Samples } from './check.js';
import type { Guards } from './guards.js';
import { indexRange } from './series-stats.js';
import { StreamingDetector, type DefaultParams } from './streaming-detector.js';
import { fmt } from './zscore.js';

/**
 * The default detector's one fixed configuration. Lengths are in samples, not seconds: NAB's
 * 5-minute series and production's 15-second scrapes both get a 288-sample baseline, which fits
 * inside the 3 h a check fetches at 15 s. Only the seasonal lag is a time (one day).
 */
export const DEFAULT_SHAPE = {
  baselineSamples: 288,
  shortWindowSamples: 2,
  scoreHistorySamples: 288,
  refractorySamples: 72,
  seasonSlackSamples: 1,
  clip: 3,
  minZ: 0,
  tailProbability: 1e-5,
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
    seasonLag: Math.round(86400 / stepSeconds),
    seasonSlack: d.seasonSlackSamples,
    minZ: d.minZ,
    tailProbability: d.tailProbability,
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
 * The default detector over arrays: replays the streaming detector over every sample up to `now`
 * (the same code the NAB backtest streams through) and breaches when it alarmed inside the judged
 * window (now-window, now]. Fewer than `minSamples` points before the window: inconclusive.
 */
export function defaultVerdict(
  s: Samples,
  now: number,
  o: { baselineMs: number; windowMs: number; direction: Direction; guards: Guards },
): Verdict {
  const [w0, w1] = indexRange(s, now - o.windowMs, now);
  const [b0] = indexRange(s, now - o.windowMs - o.baselineMs, now);
  if (w0 - b0 < o.guards.minSamples) {
    return { kind: 'inconclusive', rule: 'default', reason: `baseline has ${w0 - b0} samples, need ${o.guards.minSamples}` };
  }
  const det = new StreamingDetector(defaultParams(sampleStepSeconds(s.timestamps), o.direction, o.guards));
  for (let i = b0; i < w0; i++) det.step(s.values[i]);
  // Why: quieting repeated alarms is the monitor's job across ticks (grouping, quiet period);
  // an alarm replayed inside the baseline must not mask a breach in the judged window.
  det.resetRefractory();
  let best: ReturnType<StreamingDetector['step']> | undefined;
  let bestValue = NaN;
  let alarmed = false;
  let judged = 0;
  for (let i = w0; i < w1; i++) {
    const r = det.step(s.values[i]);
    if (!Number.isFinite(s.values[i])) continue;
    judged++;
    alarmed ||= r.alarm;
    if (!best || r.score > best.score || (r.score === best.score && r.z > best.z)) {
      best = r;
      bestValue = s.values[i];
    }
  }
  if (!best || judged === 0) return { kind: 'inconclusive', rule: 'default', reason: 'no samples in the judged window' };
  const numbers = { value: bestValue, mean: best.mean, std: best.std, z: best.z, score: best.score, threshold: 1 - DEFAULT_SHAPE.tailProbability };
  if (alarmed) {
    return { kind: 'breach', rule: 'default', reason: `sustained deviation: z=${fmt(best.z)}, anomaly score ${fmt(best.score)}`, ...numbers };
  }
  return { kind: 'pass', rule: 'default', reason: `no sustained deviation (z=${fmt(best.z)}, score ${fmt(best.score)})`, ...numbers };
}
