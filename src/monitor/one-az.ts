import type { CheckConfig } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import type { Series } from '../metrics/source.js';
import { EVERYWHERE_SHARE, LARGE_RELATIVE, LARGE_Z_FACTOR } from './assess.js';
import { directedZ, spanMean, type ReferenceCounts } from './blame.js';
import { comparable, SHIFT_MIN_POINTS } from './shift.js';

/**
 * Breaches confined to part of a stage (pure): when a check's in-scope breaches count ("at once"),
 * and what a breach confined to one AZ is compared with. Rules: docs/detection.md, "Judging a deploy".
 */

/** Minimum in-scope series breaching at once for a check to signal: one noisy series is not the build, when it runs on several. */
export function neededInScope(inScope: number): number {
  return Math.min(2, inScope);
}

type Judged = { series: Series; j: { anomaly: Verdict } };

/**
 * Whether a check's in-scope anomaly breaches count: `neededInScope` series at once, or one whose
 * breach stands alone (`standsAlone`). Why the second: a build that hurts one AZ only (it breaks on
 * something that AZ has) never had two series at once, and went through every stage to production
 * with p95 x2 or half its requests there (`src/monitor/one-az.test.ts`).
 */
export function breachTogether(check: CheckConfig, anomalous: readonly Judged[], inScope: number, from: number, now: number): boolean {
  if (anomalous.length === 0) return false;
  return anomalous.length >= neededInScope(inScope) || anomalous.some((s) => standsAlone(check, s.series, s.j.anomaly, from, now));
}

/**
 * One series' breach that needs no second: the average since the deploy (at least `SHIFT_MIN_POINTS`
 * points, at most the judged window) lies `LARGE_Z_FACTOR` x `detector.threshold` baseline sigmas out
 * in the check's direction and moved `LARGE_RELATIVE` of the baseline level (1.5x, or half of it for
 * a fall): the size the one-check fire asks for, held for a minute, not one noisy point.
 */
export function standsAlone(check: CheckConfig, series: Series, v: Verdict, from: number, now: number): boolean {
  if (v.kind !== 'breach' || v.mean === undefined || !(v.std !== undefined && v.std > 0)) return false;
  const m = spanMean(series, from, now);
  if (m.n < SHIFT_MIN_POINTS || !comparable(check, { ...v, value: m.mean })) return false;
  if (directedZ(check, (m.mean - v.mean) / v.std) < LARGE_Z_FACTOR * check.detector.threshold) return false;
  return v.mean === 0 ? m.mean !== 0 : Math.abs(m.mean - v.mean) / Math.abs(v.mean) >= LARGE_RELATIVE;
}

/**
 * The reference counts for breaches that all lie in one AZ: when most of that AZ's reference series
 * (the other tiers and environments there) and `exposedIn(az)` series (its cells that ran the build
 * before this deploy) deviate too, those counts (low confidence: it is the AZ,
 * not the build); otherwise `all`. Why: an outage of one AZ hits every tier there, and against the
 * whole reference group (7 of 19 deviating) it read as medium confidence, the hold past the bake
 * escalated, and a good build was offered for rollback with a page (`src/monitor/one-az.test.ts`,
 * `bench:deploys --situations --az-outages`). A build that hurts one AZ leaves the AZ's other tiers
 * normal and keeps the whole group's answer.
 */
export function oneAzReference(
  breaching: ReadonlyArray<{ labels: Record<string, string> }>,
  reference: ReadonlyArray<{ series: Series; anomaly: Verdict }>,
  all: ReferenceCounts,
  azLabel: string,
  count: (refs: ReadonlyArray<{ series: Series; anomaly: Verdict }>) => ReferenceCounts,
  exposedIn: (az: string) => ReadonlyArray<{ series: Series; anomaly: Verdict }> = () => [],
): ReferenceCounts {
  const azs = new Set(breaching.map((s) => s.labels[azLabel]));
  if (breaching.length === 0 || azs.size !== 1) return all;
  const [az] = azs;
  if (az === undefined) return all;
  const inAz = (r: { series: Series }) => r.series.labels[azLabel] === az;
  // Why the exposed cells too: a stage in one AZ (production 10%) often has no reference series
  // there, every other cell of the AZ running the build since an earlier stage; those cells did not
  // change build at this deploy, so their moving at the same moment is the AZ, not the build.
  const here = count([...reference.filter(inAz), ...exposedIn(az)]);
  return here.series > 0 && here.breaching / here.series >= EVERYWHERE_SHARE ? { series: here.series, breaching: here.breaching } : all;
}
