import type { CheckConfig } from '../config/schema.js';
import type { Verdict } from '../detect/verdict.js';
import { flooredStd, resolveGuards } from '../detect/guards.js';
import { rangeStats } from '../detect/series-stats.js';
import type { Series } from '../metrics/source.js';
import { directedZ, levelBefore, spanMean, MIN_LEVEL_POINTS, RESTART_GRACE_MS } from './blame.js';

/**
 * The deploy's own shift (pure): the average since the deploy against the detector's baseline
 * (`postDeployShift`), and a held build's shift from its level before the deploy (`persistingShift`).
 * Why the second: the detector's baseline ends where the judged window begins, so minutes after a
 * deploy it holds the build's own points; a lasting shift fades from the verdicts, the event closes
 * and the build moves on as its own normal. For a deploy held at its stage past its bake
 * (`SlotState.heldSince`) the question is asked against the points before the deploy instead. The
 * caller counts such a breach only when the reference group is quiet (deploy-signals.ts), and the
 * blame rules (blame.ts) still drop what the season explains.
 */

/** Post-deploy points needed before their average alone can breach (1 minute at 15 s). */
export const SHIFT_MIN_POINTS = 4;

/**
 * The deploy's own question, asked directly: is the average since the deploy at least
 * `detector.threshold` baseline sigmas away? The default detector's alarm is tuned for unlabelled
 * streams and goes quiet for a while after any big episode (an outside incident), so a bad build
 * deployed just after one would pass unseen. Returns a breach verdict, or undefined.
 */
export function postDeployShift(check: CheckConfig, series: Series, v: Verdict, from: number, now: number, dayAgo?: Series): Verdict | undefined {
  if ((v.kind !== 'pass' && v.kind !== 'breach') || v.mean === undefined || !(v.std !== undefined && v.std > 0)) return undefined;
  const m = spanMean(series, from, now);
  if (m.n < SHIFT_MIN_POINTS || !comparable(check, { ...v, value: m.mean })) return undefined;
  const z = (m.mean - v.mean) / v.std;
  if (directedZ(check, z) < check.detector.threshold) return undefined;
  return { kind: 'breach', rule: v.rule, reason: `average since the deploy ${m.mean.toPrecision(3)} is ${z.toFixed(1)} sigma from the baseline ${v.mean.toPrecision(3)}`, value: m.mean, mean: v.mean, std: v.std, z, threshold: check.detector.threshold };
}

/**
 * False for a verdict on a series below the check's minimum volume: it passes because it has too
 * little traffic to show anything, so it says nothing about whether a problem is everywhere.
 */
export function comparable(check: CheckConfig, v: Verdict): boolean {
  const min = check.detector.minVolume;
  if (min === undefined || min <= 0) return true;
  const level = Math.max(Math.abs(v.mean ?? 0), Math.abs(v.value ?? 0));
  return level >= min;
}

/** The span before the deploy whose spread is the series' noise (long enough for a stable sigma, short enough to be "before"). */
export const PRE_NOISE_MS = 30 * 60_000;
/**
 * The smallest lasting change, as a share of the level before the deploy, that counts. Why 15%: a good
 * build on a smooth series (a p95 over a 5-minute rate window) moved 1.06-1.1x with traffic (bench:live
 * seed 3, b2); a build that drops a fifth of its requests must not pass.
 */
export const PERSISTING_MIN_RELATIVE = 0.15;

/**
 * A breach when the average from `from` to `now`, and the average of the first judged window after
 * the deploy (from `RESTART_GRACE_MS` after its last step, `settledAt`), both lie at least
 * `detector.threshold` sigmas (the spread of the `PRE_NOISE_MS` before the deploy, floored as the
 * detector floors it) and at least `PERSISTING_MIN_RELATIVE` of the level from the level just before
 * the deploy, in the check's direction; undefined otherwise, or when the points are too few to tell.
 * Why both: a build's shift is there from when it takes traffic; a trend or an incident that began
 * while the build was held is not its doing. `rule` names the detector the breach stands in for.
 */
export function persistingShift(check: CheckConfig, series: Series, rule: Verdict['rule'], deploy: { deployAt: number; settledAt?: number }, from: number, now: number): Verdict | undefined {
  const guards = resolveGuards(check.detector);
  const { deployAt } = deploy;
  const pre = levelBefore(series, deployAt);
  const noise = rangeStats(series, deployAt - PRE_NOISE_MS - 1, deployAt - 1);
  const firstFrom = Math.max(deployAt, deploy.settledAt ?? deployAt) + RESTART_GRACE_MS;
  const first = spanMean(series, firstFrom, Math.min(now, firstFrom + check.detector.window * 1000));
  const post = spanMean(series, from, now);
  if (pre.n < MIN_LEVEL_POINTS || noise.count < guards.minSamples || post.n < MIN_LEVEL_POINTS || first.n < MIN_LEVEL_POINTS) return undefined;
  if (guards.minVolume > 0 && Math.max(Math.abs(pre.mean), Math.abs(post.mean)) < guards.minVolume) return undefined;
  const sigma = flooredStd(noise.std, pre.mean, guards);
  if (!(sigma > 0)) return undefined;
  const shifted = (mean: number) =>
    directedZ(check, (mean - pre.mean) / sigma) >= check.detector.threshold &&
    (pre.mean === 0 || Math.abs(mean - pre.mean) / Math.abs(pre.mean) >= PERSISTING_MIN_RELATIVE) &&
    Math.sign(mean - pre.mean) === Math.sign(post.mean - pre.mean);
  if (!shifted(post.mean) || !shifted(first.mean)) return undefined;
  const z = (post.mean - pre.mean) / sigma;
  const fmt = (x: number) => x.toPrecision(3);
  const ratio = pre.mean === 0 ? '' : ` ${(post.mean / pre.mean).toFixed(2)}x`;
  const minutes = (ms: number) => Math.round(ms / 60_000);
  return {
    kind: 'breach',
    rule,
    reason: `still${ratio} its level before the deploy: average ${fmt(post.mean)} over the last ${minutes(now - from)} min and ${fmt(first.mean)} in the first ${minutes(check.detector.window * 1000)} min after it, ${fmt(pre.mean)} in the 2 min before (sigma ${fmt(sigma)} before the deploy, z=${z.toFixed(1)})`,
    value: post.mean,
    mean: pre.mean,
    std: sigma,
    z,
    threshold: check.detector.threshold,
  };
}
