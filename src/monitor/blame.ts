import type { CheckConfig } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import type { Series } from '../metrics/source.js';
import { DAY_MS } from './fetch.js';

/**
 * Blame only what the deploy changed (pure). An in-scope breach is the deploy's only when the
 * span since the deploy differs from the level just before it and from what the series' own
 * history did at this time a day and a week ago; a reference group only speaks when it could have
 * shown the effect. Rules and reasons: docs/detection.md, "Blame".
 */

/** The level just before a deploy: the average of its points over this span (short: a rollback a few minutes earlier must not mix into it). */
export const PRE_DEPLOY_MS = 2 * 60_000;
/** Points needed for a span's average to count as a level (1 minute at 15 s). */
export const MIN_LEVEL_POINTS = 4;
/** The most recent level before a deploy, for a symptom already under way (`levelsBefore`). */
export const LAST_LEVEL_MS = 60_000;
/** Processes restart at a deploy step: a dip within this long after the deploy's last step finished is not judged. */
export const RESTART_GRACE_MS = 60_000;
/** A reference group with fewer comparable series than this is thin: it cannot tell "everywhere". */
export const MIN_REFERENCE_SERIES = 3;
/** A reference series is comparable when the in-scope effect would show in it at this many of its sigmas. */
export const SENSITIVE_Z = 4;
/** A reference series deviates when a span's average is this many sigmas out in the check's direction. */
export const REFERENCE_MEAN_Z = 2;
/** The short span a reference series is also judged on, so an incident that began a minute ago shows. */
export const REFERENCE_SHORT_MS = 60_000;

/** Average of the finite values with from < t <= to, and how many there were. */
export function spanMean(series: Series, from: number, to: number): { mean: number; n: number } {
  let sum = 0;
  let n = 0;
  for (let i = series.timestamps.length - 1; i >= 0 && series.timestamps[i] > from; i--) {
    const x = series.values[i];
    if (series.timestamps[i] <= to && Number.isFinite(x)) {
      sum += x;
      n++;
    }
  }
  return { mean: n > 0 ? sum / n : NaN, n };
}

/** The level just before a deploy: the average of the `PRE_DEPLOY_MS` before it, the deploy's own moment excluded. */
export function levelBefore(series: Series, deployAt: number): { mean: number; n: number } {
  return spanMean(series, deployAt - PRE_DEPLOY_MS - 1, deployAt - 1);
}

/**
 * The average of what a deploy can have changed: from `from` (at most the judged window) to `now`,
 * and when `from` is the deploy itself, its own moment included (the judge masks only the points
 * before it, so a breach on the deploy's first sample is judged against the level before it too).
 */
export function spanSince(series: Series, deployAt: number, from: number, now: number): { mean: number; n: number } {
  return spanMean(series, from > deployAt ? from : deployAt - 1, now);
}

/**
 * The noise of a series at `level`: its baseline sigma, scaled in proportion when the level stands
 * above the baseline mean. Why: noise grows with the level (a percentile of requests, a count), so
 * at 5x its usual latency a series wanders 5x as far; judged in its quiet-time sigma, an outside
 * incident already there before the deploy looked like a change the deploy made.
 */
export function sigmaAt(v: Pick<Verdict, 'mean'> & { std: number }, level: number): number {
  const mean = Math.abs(v.mean ?? 0);
  return v.std * (mean > 0 && Number.isFinite(level) ? Math.max(1, Math.abs(level) / mean) : 1);
}

/** z signed so that "bad" is positive for the check's direction (`both`: the magnitude). */
export function directedZ(check: CheckConfig, z: number): number {
  return check.direction === 'up' ? z : check.direction === 'down' ? -z : Math.abs(z);
}

/** The past series of one in-scope series, as fetched (timestamps as they were). */
export interface SeasonalPasts {
  dayAgo?: Series;
  weekAgo?: Series;
}

/**
 * Why an in-scope anomaly breach is not the deploy's doing, or undefined when it is (or when
 * there is not enough to tell: a breach is never dropped on missing evidence).
 * - a dip while the deploy's steps run, or in the first `RESTART_GRACE_MS` after the last one
 *   finished (`settledAt`; `now` while still deploying), is a restart (counter resets, warm-up);
 * - the span since the deploy is within `detector.threshold` sigmas (the noise at that level,
 *   `sigmaAt`) of the level just before it: the symptom was already there (a previous build's
 *   lingering symptom, a trend, an incident);
 * - the span's change from that level is what happened at the same time 1 d and 7 d ago (the
 *   daily spike): both periods must show it when both are there, so one bad hour a day ago does not
 *   excuse today.
 */
export function notTheDeploys(check: CheckConfig, series: Series, v: Verdict, pasts: SeasonalPasts, deployAt: number, now: number, settledAt = deployAt): string | undefined {
  const sigma = v.std;
  if (v.kind !== 'breach' || sigma === undefined || !(sigma > 0)) return undefined;
  const from = Math.max(deployAt, now - check.detector.window * 1000);
  let post = spanSince(series, deployAt, from, now);
  if (post.n === 0) return undefined;
  const pre = levelBefore(series, deployAt);
  const level = pre.n >= MIN_LEVEL_POINTS ? pre.mean : v.mean;
  if (level === undefined || !Number.isFinite(level)) return undefined;
  const noise = sigmaAt({ mean: v.mean, std: sigma }, level);
  // Why from the last step: processes restart when a step takes effect on the cell (20 s or more
  // after the deploy began, longer with retries), and the dip lasts about a minute from there.
  const graceEnd = Math.max(deployAt, settledAt) + RESTART_GRACE_MS;
  if (post.mean < level && from < graceEnd) {
    // Why only dips: a restart makes rates dip (counter resets, warm-up); an error spike is news at once.
    const late = spanMean(series, Math.max(from, graceEnd), now);
    if (late.n === 0) return `a dip in the first ${RESTART_GRACE_MS / 1000} s after the deploy's last step (processes restarting)`;
    post = late;
  }
  const fmt = (x: number) => x.toPrecision(3);
  if (pre.n >= MIN_LEVEL_POINTS) {
    const best = levelsBefore(check, series, { mean: v.mean, std: sigma }, deployAt, pre.mean, (from + now) / 2)
      .map((c) => ({ ...c, noise: sigmaAt({ mean: v.mean, std: sigma }, c.level) }))
      .map((c) => ({ ...c, z: directedZ(check, (post.mean - c.level) / c.noise) }))
      .reduce((a, b) => (b.z < a.z ? b : a));
    if (best.z < check.detector.threshold) {
      return `already there before the deploy: average ${fmt(post.mean)} since, ${fmt(best.level)} ${best.what} (sigma ${fmt(best.noise)} at that level)`;
    }
  }
  const expected = seasonalExpectation(check, pasts, level, deployAt, from, now);
  if (expected !== undefined && directedZ(check, (post.mean - expected) / noise) < check.detector.threshold) {
    return `the same change happened at this time 1 d / 7 d ago: average ${fmt(post.mean)} since the deploy, ${fmt(expected)} expected from then`;
  }
  return undefined;
}

/**
 * The levels before a deploy that the span since it is compared with (the comparison most
 * favourable to "already there" decides): the average of the `PRE_DEPLOY_MS` before it and, when
 * the last `LAST_LEVEL_MS` before it were already `detector.threshold` baseline sigmas out in the
 * check's direction (a symptom under way), also that last span's average and the straight line
 * fitted through the `PRE_DEPLOY_MS` before, carried to `at` (the middle of the judged span; at
 * most `PRE_DEPLOY_MS` past the deploy). Why: a p95 over a 5-minute rate window climbs for minutes
 * after a bad build, so a revert deployed into the climb met a 2-minute average from its middle,
 * many sigmas below the level after. Why only when already out: noise that slopes the last points
 * up must not excuse a real regression. When that last span stands better than the 2 minutes (a
 * symptom on its way out), the 2-minute average is dropped: it is no longer the level at the deploy.
 */
function levelsBefore(check: CheckConfig, series: Series, base: { mean?: number; std: number }, deployAt: number, preMean: number, at: number): Array<{ level: number; what: string }> {
  const levels = [{ level: preMean, what: `in the ${PRE_DEPLOY_MS / 60_000} min before` }];
  const last = spanMean(series, deployAt - LAST_LEVEL_MS - 1, deployAt - 1);
  // Why half: the last minute holds half the points the 2 minutes do.
  if (last.n < MIN_LEVEL_POINTS / 2 || base.mean === undefined) return levels;
  if (directedZ(check, (last.mean - base.mean) / base.std) < check.detector.threshold) return levels;
  // Why: a symptom on its way out (a rolled-back build's errors leaving a rate window) stood lower at
  // the deploy than its 2-minute average says; a build carrying the same bad change would otherwise
  // pass as "already there" (bench:live seed 3: the revert r1 through canary to prod-50).
  if (directedZ(check, (last.mean - preMean) / base.std) < 0) levels.length = 0;
  levels.push({ level: last.mean, what: `in the last ${LAST_LEVEL_MS / 1000} s before` });
  const trend = trendAt(series, deployAt - PRE_DEPLOY_MS - 1, deployAt - 1, Math.min(at, deployAt + PRE_DEPLOY_MS));
  if (trend !== undefined) levels.push({ level: trend, what: 'where the trend of the minutes before was heading' });
  return levels;
}

/** The least-squares line through the finite points with from < t <= to, evaluated at `at` (undefined under `MIN_LEVEL_POINTS` points). */
function trendAt(series: Series, from: number, to: number, at: number): number | undefined {
  const pts: Array<[number, number]> = [];
  series.timestamps.forEach((t, i) => {
    if (t > from && t <= to && Number.isFinite(series.values[i])) pts.push([t - to, series.values[i]]);
  });
  if (pts.length < MIN_LEVEL_POINTS) return undefined;
  const mt = pts.reduce((a, [t]) => a + t, 0) / pts.length;
  const my = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
  const stt = pts.reduce((a, [t]) => a + (t - mt) ** 2, 0);
  const slope = stt > 0 ? pts.reduce((a, [t, y]) => a + (t - mt) * (y - my), 0) / stt : 0;
  return my + slope * (at - to - mt);
}

/**
 * What the span since the deploy would average if it changed from `level` as the same span did a
 * day and a week ago (relative change, additive where the level was zero). For `up` the smaller
 * expectation (both periods must show the rise), for `down` the larger, for `both` the one nearer
 * the level. Undefined without a past that has both spans.
 */
function seasonalExpectation(check: CheckConfig, pasts: SeasonalPasts, level: number, deployAt: number, from: number, now: number): number | undefined {
  const expectations: number[] = [];
  for (const [past, offset] of [[pasts.dayAgo, DAY_MS], [pasts.weekAgo, 7 * DAY_MS]] as const) {
    if (!past) continue;
    const before = spanMean(past, deployAt - offset - PRE_DEPLOY_MS, deployAt - offset);
    const during = spanMean(past, from - offset, now - offset);
    if (before.n < MIN_LEVEL_POINTS || during.n === 0) continue;
    expectations.push(before.mean > 0 && level > 0 ? level * (during.mean / before.mean) : level + (during.mean - before.mean));
  }
  if (expectations.length === 0) return undefined;
  if (check.direction === 'up') return Math.min(...expectations);
  if (check.direction === 'down') return Math.max(...expectations);
  return expectations.reduce((a, b) => (Math.abs(b - level) < Math.abs(a - level) ? b : a));
}

/**
 * Whether a reference series deviates: the average of the span since the deploy (at most the
 * judged window) or of the last minute lies `REFERENCE_MEAN_Z` of its own baseline sigmas (scaled to
 * that level, `sigmaAt`) from its level just before the deploy (its baseline mean without enough
 * points there), in the check's
 * direction. The same question as for the in-scope series ("did it change since?"), so a trend
 * (traffic falling for the night) is no deviation, and the short span matches an incident that
 * began late in the span (an average over 5 minutes that holds 1.5 minutes of it hides it).
 * Undefined: cannot tell.
 */
export function referenceDeviates(check: CheckConfig, series: Series, v: Verdict, deployAt: number, from: number, now: number): boolean | undefined {
  if ((v.kind !== 'pass' && v.kind !== 'breach') || v.mean === undefined || !(v.std !== undefined && v.std > 0)) return undefined;
  const spans = [spanSince(series, deployAt, from, now), spanSince(series, deployAt, Math.max(from, now - REFERENCE_SHORT_MS), now)];
  if (spans[0].n === 0) return undefined;
  const pre = levelBefore(series, deployAt);
  const level = pre.n >= MIN_LEVEL_POINTS ? pre.mean : v.mean;
  const noise = sigmaAt({ mean: v.mean, std: v.std }, level);
  return spans.some((m) => m.n > 0 && directedZ(check, (m.mean - level) / noise) >= REFERENCE_MEAN_Z);
}

/**
 * Whether a reference series could show the in-scope effect: `relativeEffect` (the in-scope
 * change as a share of its level) at the reference's own level is at least `SENSITIVE_Z` of its
 * sigmas. Two tiny staging AZs, where a 4x spike stays under 2 sigma, cannot speak for production.
 */
export function sensitive(v: Verdict, relativeEffect: number): boolean {
  if (v.mean === undefined || v.std === undefined || !(v.std > 0)) return false;
  if (!Number.isFinite(relativeEffect)) return true;
  return (relativeEffect * Math.abs(v.mean)) / v.std >= SENSITIVE_Z;
}

/** The in-scope change as a share of its baseline level (median over the breaching series; Infinity at level 0). */
export function relativeEffect(breaches: Verdict[], spanMeans: number[]): number {
  const rel = breaches
    .map((v, i) => (v.mean === undefined || !Number.isFinite(spanMeans[i]) ? NaN : v.mean === 0 ? Infinity : Math.abs(spanMeans[i] - v.mean) / Math.abs(v.mean)))
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  return rel.length === 0 ? Infinity : rel[Math.floor((rel.length - 1) / 2)];
}

/** An in-scope series as deploy-signals.ts holds it (the judgement may be replaced). */
interface InScopeJudged {
  key: string;
  series: Series;
  j: { anomaly: Verdict };
}

/**
 * Replaces every counted in-scope anomaly breach that is not the deploy's (see `notTheDeploys`)
 * by a pass that says why. `counts` tells which breaches count (deploy-signals' `countsAsAnomaly`).
 * Returns how many were disowned.
 */
export function disownInScope(
  check: CheckConfig,
  inScope: InScopeJudged[],
  pastsOf: (key: string) => SeasonalPasts,
  counts: (v: Verdict) => boolean,
  deployAt: number,
  now: number,
  settledAt = deployAt,
): number {
  let n = 0;
  for (const s of inScope) {
    if (!counts(s.j.anomaly)) continue;
    const why = notTheDeploys(check, s.series, s.j.anomaly, pastsOf(s.key), deployAt, now, settledAt);
    if (!why) continue;
    s.j = { ...s.j, anomaly: { ...s.j.anomaly, kind: 'pass', reason: `${s.j.anomaly.reason}; not the deploy's: ${why}` } };
    n++;
  }
  return n;
}

/** Reference counts of one check at one tick; `thin` when fewer than `MIN_REFERENCE_SERIES` could speak. */
export interface ReferenceCounts {
  series: number;
  breaching: number;
  thin?: boolean;
}

/**
 * Counts the reference series for the anomaly rule: a series counts when it deviates (then it
 * breaches) or when it could have shown the in-scope effect (`sensitive`); `comparable` filters
 * series below the volume floor. Thin when some reference series exist but fewer than
 * `MIN_REFERENCE_SERIES` count: confidence is then low (it cannot tell the deploy from the rest).
 */
export function countReference(
  check: CheckConfig,
  refs: ReadonlyArray<{ series: Series; anomaly: Verdict }>,
  effect: number,
  comparable: (v: Verdict) => boolean,
  deployAt: number,
  from: number,
  now: number,
): ReferenceCounts {
  let series = 0;
  let breaching = 0;
  let present = 0;
  for (const r of refs) {
    if ((r.anomaly.kind !== 'pass' && r.anomaly.kind !== 'breach') || !comparable(r.anomaly)) continue;
    present++;
    const dev = referenceDeviates(check, r.series, r.anomaly, deployAt, from, now);
    if (dev === undefined) continue;
    if (dev) breaching++;
    if (dev || sensitive(r.anomaly, effect)) series++;
  }
  return present > 0 && series < MIN_REFERENCE_SERIES ? { series, breaching, thin: true } : { series, breaching };
}
