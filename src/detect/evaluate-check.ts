import type { CheckInput, CheckResult } from './check.js';
import type { Verdict } from './verdict.js';
import { resolveGuards } from './guards.js';
import { validateSamples } from './series-stats.js';
import { zscoreVerdict } from './zscore.js';
import { thresholdVerdict } from './threshold.js';
import { defaultVerdict } from './default-detector.js';

/**
 * Judges one series of one check at `now`: the anomaly rule (`detector.type`: `zscore` = the seed
 * rule, `default` = the default detector) and, when a static threshold or dynamic mode is set, the
 * threshold rule. Pure: no I/O, no clock. Malformed input yields `error` verdicts, never a throw.
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
  const anomaly: Verdict =
    d.type === 'zscore'
      ? zscoreVerdict(input.samples, input.now, { baselineMs, windowMs, threshold: d.threshold, direction: input.direction, guards })
      : defaultVerdict(input.samples, input.now, { baselineMs, windowMs, direction: input.direction, guards });
  if (!wantsThreshold) return { anomaly };
  const threshold = thresholdVerdict(input.samples, input.now, {
    static: input.static,
    mode: input.dynamic,
    windowMs,
    dynamicWindowMs: input.dynamicWindowSeconds * 1000,
    direction: input.direction,
    minSamples: guards.minSamples,
    seasonal: input.seasonal,
  });
  return { anomaly, threshold };
}
