import type { CheckInput, CheckResult } from './check.js';
import type { Verdict } from './verdict.js';
import { resolveGuards, type Guards } from './guards.js';
import { upperBound, validateSamples } from './series-stats.js';
import { judgeWindow } from './zscore.js';
import { thresholdFromMeans } from './threshold.js';
import { defaultVerdict } from './default-detector.js';
import { fusedPass } from './fused-pass.js';

/**
 * Judges one series of one check at `now`: the anomaly rule (`detector.type`: `zscore` = the seed
 * rule, `default` = the default detector) and, when a static threshold or dynamic mode is set, the
 * threshold rule. Pure: no I/O, no clock. Malformed input yields `error` verdicts, never a throw.
 *
 * Today's samples are read once (`fusedPass`): the z-score baseline, the dynamic history and the
 * judged window's average, and a dynamic or seasonal margin's standard deviation over the history,
 * all come from the same pass. The results equal `zscoreVerdict` and `thresholdVerdict` computed
 * separately (tested).
 */
export function evaluateCheck(input: CheckInput): CheckResult {
  const problem = validateSamples(input.samples);
  const wantsThreshold = input.static !== undefined || input.dynamic !== 'off';
  if (problem) {
    const err = (rule: Verdict['rule']): Verdict => ({ kind: 'error', rule, reason: `bad samples: ${problem}` });
    const anomalyRule = input.detector.type === 'zscore' ? 'zscore' : 'default';
    return { anomaly: err(anomalyRule), ...(wantsThreshold ? { threshold: err(input.dynamic === 'off' ? 'static' : input.dynamic) } : {}) };
  }
  const d = input.detector;
  const guards = resolveGuards(d);
  const baselineMs = d.baseline * 1000;
  const windowMs = d.window * 1000;
  const dynamicMs = input.dynamicWindowSeconds * 1000;
  const zscore = d.type === 'zscore';
  // Why first: the default detector reads the samples itself; the pass below would serve no rule.
  if (!zscore && !wantsThreshold) return { anomaly: defaultAnomaly(input, guards, baselineMs, windowMs) };
  const { samples: s, now } = input;
  const ts = s.timestamps;
  // The same bounds as indexRange: half-open on the left, so baseline and window never share a point.
  const end = upperBound(ts, now - windowMs);
  const windowEnd = upperBound(ts, now);
  const dynamic = wantsThreshold && input.dynamic !== 'off';
  const dynStart = dynamic ? upperBound(ts, now - windowMs - dynamicMs) : end;
  const stats = fusedPass(s.values, {
    // Why: an empty range where a rule does not need it, so the pass reads only what is used; an
    // unused baseline takes the dynamic history's range, so its statistics are the margin's.
    baseStart: zscore && !input.baseline ? (dynamic && dynamicMs === baselineMs ? dynStart : upperBound(ts, now - windowMs - baselineMs)) : dynStart,
    dynStart,
    end,
    windowEnd: wantsThreshold ? windowEnd : end,
    // The margin's noise scale: the std over the same history as the level (dynamic only).
    noise: dynamic,
    // The judged window without its most extreme scrape (threshold rules): the same walk.
    trim: wantsThreshold ? input.direction : undefined,
  });
  const direction = input.direction;
  const base = input.baseline ?? stats.baseline;
  const anomaly: Verdict = zscore
    ? judgeWindow(s.values, end, windowEnd, base.mean, base.std, base.count, { threshold: d.threshold, direction, guards }, 'zscore')
    : defaultAnomaly(input, guards, baselineMs, windowMs);
  if (!wantsThreshold) return { anomaly };
  const threshold = thresholdFromMeans(stats.window, stats.dynamic, {
    static: input.static,
    mode: input.dynamic,
    windowMs,
    dynamicWindowMs: dynamicMs,
    direction,
    minSamples: guards.minSamples,
    seasonal: input.seasonal,
    margin: input.margin,
    noiseStd: stats.noise?.std,
    trimmedMean: stats.trimmedMean,
  });
  return { anomaly, threshold };
}

/** The default detector's verdict: from the kept state when the caller has one, else by a replay. */
function defaultAnomaly(input: CheckInput, guards: Guards, baselineMs: number, windowMs: number): Verdict {
  const o = { baselineMs, windowMs, direction: input.direction, guards, minZ: input.detector.threshold };
  return input.detectorState?.verdict(input.samples, input.now, o) ?? defaultVerdict(input.samples, input.now, o);
}
