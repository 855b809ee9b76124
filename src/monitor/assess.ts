import type { Confidence, Severity, Signal } from '../domain/events.js';
import { SEVERITY_ORDER } from '../domain/events.js';
import type { RuleKind } from '../detect/verdict.js';

/**
 * Severity and confidence of a group of signals (the rules are written out in docs/detection.md,
 * "Events, severity and confidence"). Pure.
 */

/** Reference series breaching at this share or more means "it breaches everywhere". */
export const EVERYWHERE_SHARE = 0.5;
/** Up to this share of reference series may breach (their own noise) and the deploy still looks like the cause. */
export const NOISE_SHARE = 0.15;
/** A z-score at least this many times the threshold in force is a large magnitude. */
export const LARGE_Z_FACTOR = 2;
/** Z-score breaches on this many checks at once make a siren a fire regardless of magnitude. */
export const FIRE_CHECKS = 3;
/** A single-check breach is a fire when its large magnitude has lasted this long (two ticks of 30 s). */
export const SUSTAINED_MS = 30_000;
/**
 * ... and began within this long of the deploy: a build's effect shows as soon as it takes traffic,
 * while a breach that starts later in a bake is as likely an outside incident at its onset, when the
 * reference series (judged on their average since the deploy) have not caught up yet.
 */
export const ONSET_MS = 180_000;
/**
 * ... and moved at least this share of its usual level (1.5x, or half of it for a fall). Why: |z| alone
 * is not a size a person would roll back for: on a smooth series (a p95 over a 5-minute rate window at
 * 2 requests/s) 1.1x the usual level was |z| 6.1, and a good build was rolled back as fire
 * (`bench:live` seed 3). Bad builds seen in the benches move their check 2-10x; a smaller change on
 * one check stays a blue hold, where a second check or a person decides.
 */
export const LARGE_RELATIVE = 0.5;

export type CheckConfidence = Confidence | 'unknown';

/** How one check contributes to an assessment. */
export interface CheckAssessment {
  check: string;
  /** `anomaly`: a z-score / default-detector breach; `threshold`: a static/dynamic/seasonal level breach. */
  kind: 'anomaly' | 'threshold';
  inScopeBreaching: number;
  reference?: { series: number; breaching: number; thin?: boolean };
  confidence: CheckConfidence;
  maxAbsZ?: number;
  zThreshold?: number;
  /** Some series' latest |z| is large and it has been breaching for at least `SUSTAINED_MS`. */
  sustainedLarge?: boolean;
}

export interface Assessment {
  severity: Severity;
  confidence: Confidence;
  /** Checks that count (anomaly checks; threshold checks only when there is no anomaly breach). */
  checks: CheckAssessment[];
  large: boolean;
  summary: string;
}

/** True for the anomaly rules (seed z-score, the default detector, series gone dark); the rest are level thresholds. */
export function isAnomalyRule(rule: RuleKind): boolean {
  return rule === 'zscore' || rule === 'default' || rule === 'dark';
}

export function severityRank(s: Severity): number {
  return SEVERITY_ORDER.indexOf(s);
}

/** Confidence that the deploy caused a check's breach, from the check's reference series. */
export function checkConfidence(reference: { series: number; breaching: number; thin?: boolean } | undefined): CheckConfidence {
  // Why low: a thin group (too few series that could show the effect, e.g. two tiny staging AZs
  // for a production deploy) staying normal proves nothing, and calling that "high" blamed the spike.
  if (reference?.thin) return 'low';
  // No comparison group (the whole fleet runs the change, or series carry no scope labels): cannot tell.
  if (!reference || reference.series === 0) return 'unknown';
  const share = reference.breaching / reference.series;
  if (share <= NOISE_SHARE) return 'high';
  if (share >= EVERYWHERE_SHARE) return 'low';
  return 'medium';
}

const CONFIDENCE_SCORE: Record<Confidence, number> = { low: 0, medium: 0.5, high: 1 };

/**
 * Combines per-check confidences, each weighted by the size of its reference group (more reference
 * series, more evidence): a weighted score >= 0.8 is high, <= 0.2 low, otherwise medium. Unknown
 * checks do not vote; without votes, medium. Unweighted, it is "unanimous high -> high, unanimous low -> low".
 */
export function combineConfidence(values: Array<CheckConfidence | { confidence: CheckConfidence; weight: number }>): Confidence {
  let sum = 0;
  let weight = 0;
  for (const v of values) {
    const c = typeof v === 'string' ? v : v.confidence;
    const w = typeof v === 'string' ? 1 : Math.max(1, v.weight);
    if (c === 'unknown') continue;
    sum += CONFIDENCE_SCORE[c] * w;
    weight += w;
  }
  if (weight === 0) return 'medium';
  const score = sum / weight;
  return score >= 0.8 ? 'high' : score <= 0.2 ? 'low' : 'medium';
}

/**
 * The severity table: white / blue / red / siren / fire. `sustainedSingle`: the one breaching check
 * has a large magnitude sustained over two ticks (see `assessSignals`).
 */
export function severityOf(anomalyChecks: number, confidence: Confidence, large: boolean, sustainedSingle = false): Severity {
  if (anomalyChecks === 0) return 'white';
  // Why: a low-traffic stage (staging at 2 req/s) shows a bad build on one check only, because the
  // others sit below their volume floor; a large, sustained breach where the build runs while the
  // reference group stays normal is as sure a sign as two checks, and waiting for the next stage
  // to see a second check costs an hour of exposure.
  if (anomalyChecks === 1) return sustainedSingle && confidence === 'high' ? 'fire' : 'blue';
  if (confidence !== 'high') return 'red';
  return large || anomalyChecks >= FIRE_CHECKS ? 'fire' : 'siren';
}

function summarizeCheck(c: CheckAssessment): string {
  const ref = c.reference ? `reference ${c.reference.breaching}/${c.reference.series} breaching${c.reference.thin ? ' (thin)' : ''}` : 'no reference series';
  const z = c.maxAbsZ !== undefined ? `, max |z| ${c.maxAbsZ.toFixed(1)}` : '';
  return `${c.check} (${c.kind}: ${c.inScopeBreaching} in-scope series${z}; ${ref}; ${c.confidence})`;
}

/**
 * A series whose latest |z| is at least `LARGE_Z_FACTOR` x the threshold and whose value moved at
 * least `LARGE_RELATIVE` of its usual level, that has breached for `SUSTAINED_MS` or more, and whose
 * breach began within `ONSET_MS` of the deploy.
 */
function isSustainedLarge(s: Signal, defaultZThreshold: number, deployAt: number | undefined): boolean {
  const z = s.verdict.z;
  if (z === undefined || !Number.isFinite(z) || deployAt === undefined) return false;
  if ((s.firstAt ?? s.at) - deployAt > ONSET_MS) return false;
  const threshold = (s.verdict.rule === 'zscore' ? s.verdict.threshold : undefined) ?? defaultZThreshold;
  return Math.abs(z) >= LARGE_Z_FACTOR * threshold && largeChange(s.verdict) && s.at - (s.firstAt ?? s.at) >= SUSTAINED_MS;
}

/** The value moved at least `LARGE_RELATIVE` of its usual level (any move from a level of 0); unknown: true, as before. */
function largeChange(v: Signal['verdict']): boolean {
  if (v.value === undefined || v.mean === undefined || !Number.isFinite(v.value) || !Number.isFinite(v.mean)) return true;
  if (v.mean === 0) return v.value !== 0;
  return Math.abs(v.value - v.mean) / Math.abs(v.mean) >= LARGE_RELATIVE;
}

/** Groups the in-scope signals by check and rule kind into per-check assessments. */
function perCheck(signals: readonly Signal[], defaultZThreshold: number, deployAt: number | undefined): CheckAssessment[] {
  const byKey = new Map<string, { check: string; kind: 'anomaly' | 'threshold'; list: Signal[] }>();
  for (const s of signals) {
    if (!s.inScope) continue;
    const kind = isAnomalyRule(s.verdict.rule) ? 'anomaly' : 'threshold';
    const key = `${kind}\u0000${s.check}`;
    const g = byKey.get(key) ?? { check: s.check, kind, list: [] };
    g.list.push(s);
    byKey.set(key, g);
  }
  return [...byKey.values()].map(({ check, kind, list }) => {
    const latest = list.reduce((a, b) => (b.at > a.at ? b : a));
    let maxAbsZ: number | undefined;
    let zThreshold: number | undefined;
    for (const s of list) {
      const z = s.verdict.z;
      if (z !== undefined && Number.isFinite(z) && (maxAbsZ === undefined || Math.abs(z) > maxAbsZ)) {
        maxAbsZ = Math.abs(z);
        // Only the seed z-score rule's threshold is a z; the default detector's is a score in [0, 1].
        zThreshold = s.verdict.rule === 'zscore' ? s.verdict.threshold : undefined;
      }
    }
    const series = new Set(list.map((s) => JSON.stringify(s.labels))).size;
    const c: CheckAssessment = { check, kind, inScopeBreaching: series, confidence: checkConfidence(latest.reference) };
    if (kind === 'anomaly') c.sustainedLarge = list.some((s) => isSustainedLarge(s, defaultZThreshold, deployAt));
    if (latest.reference) c.reference = latest.reference;
    if (maxAbsZ !== undefined) c.maxAbsZ = maxAbsZ;
    if (zThreshold !== undefined) c.zThreshold = zThreshold;
    return c;
  });
}

/**
 * Assesses the in-scope signals whose latest breach lies within `groupingWindowMs` of the newest
 * one (breaches that far apart are not "at once"). Returns undefined when there are none.
 * `defaultZThreshold` is used for magnitude when a verdict does not say which threshold was in force.
 * `deployAt` (when the deploy began) enables the one-check fire (without it a single check is blue).
 */
export function assessSignals(signals: readonly Signal[], groupingWindowMs: number, defaultZThreshold = 3, deployAt?: number): Assessment | undefined {
  const inScope = signals.filter((s) => s.inScope);
  if (inScope.length === 0) return undefined;
  const newest = Math.max(...inScope.map((s) => s.at));
  const recent = inScope.filter((s) => s.at >= newest - groupingWindowMs);
  const all = perCheck(recent, defaultZThreshold, deployAt);
  const anomaly = all.filter((c) => c.kind === 'anomaly');
  // Why: with any anomaly breach, threshold-only checks neither raise severity nor vote on confidence.
  const counted = anomaly.length > 0 ? anomaly : all;
  const confidence = combineConfidence(counted.map((c) => ({ confidence: c.confidence, weight: c.reference?.series ?? 0 })));
  const large = anomaly.some((c) => c.maxAbsZ !== undefined && c.maxAbsZ >= LARGE_Z_FACTOR * (c.zThreshold ?? defaultZThreshold));
  const sustainedSingle = anomaly.length === 1 && anomaly[0].sustainedLarge === true;
  const severity = severityOf(anomaly.length, confidence, large, sustainedSingle);
  const what = anomaly.length === 0 ? 'threshold breaches only' : `z-score breaches on ${anomaly.length} check${anomaly.length > 1 ? 's' : ''}`;
  const mag = sustainedSingle ? ' (large magnitude, sustained)' : large ? ' (large magnitude)' : '';
  const summary = `${severity}, ${confidence} confidence: ${what}${mag}: ${counted.map(summarizeCheck).join('; ')}`;
  return { severity, confidence, checks: counted, large, summary };
}
