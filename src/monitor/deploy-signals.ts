import type { CheckConfig } from '../config/schema.js';
import { renderLinkTemplate } from '../config/link-template.js';
import type { Labels, Signal } from '../domain/events.js';
import type { Verdict } from '../detect/verdict.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Series } from '../metrics/source.js';
import type { CheckData, CheckFetch } from './fetch.js';
import { baselineOf, labelsKey } from './fetch.js';
import { judgeSeries, seasonalIndex, withSeasonalRepeat, type SeriesJudgement } from './judge.js';
import type { DetectorStates } from './detector-states.js';
import { placer, type DeployScope, type ScopeLabelNames } from './scope.js';
import { NOISE_SHARE } from './assess.js';
import { shiftRepeatsSeasonally } from './seasonal-repeat.js';
import { comparable, persistingShift, postDeployShift } from './shift.js';
import { breachTogether, oneAzReference } from './one-az.js';
import { countReference, disownInScope, levelBefore, relativeEffect, spanMean, MIN_LEVEL_POINTS, REFERENCE_MEAN_Z } from './blame.js';

export { REFERENCE_MEAN_Z };

/** A deploy in progress with the moment it reached its stage. */
export interface TrackedDeploy extends DeployScope {
  deployAt: number;
  /** When its last deploy step finished (its bake began); absent while it is still deploying. */
  settledAt?: number;
  /** Since when the build has been held at its stage past its bake (`SlotState.heldSince`). */
  heldSince?: number;
}

/** When the deploy's processes last restarted: its last step's end, `now` while steps still run. */
function settledAt(deploy: TrackedDeploy, now: number): number {
  return deploy.settledAt ?? (deploy.phase === 'deploying' ? now : deploy.deployAt);
}

/** What one tick found for one deploy and one check. */
export interface DeployCheckOutcome {
  check: string;
  signals: Signal[];
  /** Set when the check has no usable data for this deploy (fetch failed, no series, no recent samples). */
  missing?: string;
  /** Anomaly breaches dropped because they repeat at the same time a day or a week ago. */
  seasonalRepeats: number;
  /** Anomaly breaches dropped as not the deploy's doing (already there before it, the season, a restart: blame.ts). */
  notTheDeploy?: number;
  /** Anomaly breaches were found but the seasonal windows were not fetched: fetch them and judge again. */
  needsSeasonal?: boolean;
  inScope: number;
  reference: number;
  /** Largest in-scope |z| this tick (promotion-gate evidence). */
  maxAbsZ?: number;
}

type Counts = { series: number; breaching: number; thin?: boolean };

/**
 * An anomaly breach that counts for deploy judgement. The default detector alarms on how unusual
 * a point is for its series, with no absolute floor; before the bot stops or rolls back a deploy
 * the point must also be at least `detector.threshold` standard deviations out.
 */
export function countsAsAnomaly(check: CheckConfig, v: Verdict): boolean {
  if (v.kind !== 'breach') return false;
  if (v.rule !== 'default') return true;
  return v.z !== undefined && Math.abs(v.z) >= check.detector.threshold;
}

/**
 * Whether a series breaching a threshold stood within it just before the deploy (the average of the
 * 2 minutes before, at least `MIN_LEVEL_POINTS` points), or undefined when those points are not at hand.
 */
export function clearBefore(check: CheckConfig, series: Series, deployAt: number, v: Verdict): boolean | undefined {
  if (v.threshold === undefined) return undefined;
  const pre = levelBefore(series, deployAt);
  if (pre.n < MIN_LEVEL_POINTS) return undefined;
  return check.direction === 'down' ? pre.mean > v.threshold : pre.mean < v.threshold;
}

function countRef(check: CheckConfig, list: SeriesJudgement[], pick: (j: SeriesJudgement) => Verdict | undefined): Counts {
  let series = 0;
  let breaching = 0;
  for (const j of list) {
    const v = pick(j);
    if (!v || (v.kind !== 'pass' && v.kind !== 'breach') || !comparable(check, v)) continue;
    series++;
    if (v.kind === 'breach') breaching++;
  }
  return { series, breaching };
}

function links(check: CheckConfig, deploy: TrackedDeploy, labels: Labels, now: number, names: ScopeLabelNames): Signal['links'] {
  if (!check.links.graph && !check.links.logs) return undefined;
  const vars = {
    check: check.name,
    query: check.query,
    build: deploy.buildId,
    stage: deploy.stage,
    environment: labels[names.environment] ?? deploy.environment,
    tier: labels[names.tier] ?? deploy.tier,
    az: labels[names.az] ?? '',
    from: Math.min(deploy.deployAt, now - 3_600_000),
    to: now,
  };
  const out: NonNullable<Signal['links']> = {};
  if (check.links.graph) out.graph = renderLinkTemplate(check.links.graph, vars, labels);
  if (check.links.logs) out.logs = renderLinkTemplate(check.links.logs, vars, labels);
  return out;
}

/**
 * The deploy-independent verdicts on one check's series at `now`, computed on first use and kept
 * for the tick: reference series are judged only when an in-scope breach needs the comparison.
 */
export class CheckJudgements {
  private readonly memo = new Map<string, SeriesJudgement>();
  private readonly idx: ReturnType<typeof seasonalIndex>;
  constructor(
    readonly check: CheckConfig,
    readonly data: CheckData,
    readonly now: number,
    private readonly states?: DetectorStates,
  ) {
    this.idx = seasonalIndex(data);
  }
  /** The series with their label keys, in result order. */
  series(): Array<{ key: string; series: Series }> {
    return this.data.current.map((series) => ({ key: labelsKey(series.labels), series }));
  }
  seasonalOf(key: string): { dayAgo?: Series; weekAgo?: Series } {
    return { dayAgo: this.idx.dayAgo.get(key), weekAgo: this.idx.weekAgo.get(key) };
  }
  get(key: string, series: Series): SeriesJudgement {
    let j = this.memo.get(key);
    if (!j) {
      const state = this.states?.of(this.check, key);
      j = judgeSeries(this.check, series, this.now, this.seasonalOf(key), { baseline: baselineOf(this.data, series.labels), ...(state ? { state } : {}) });
      this.memo.set(key, j);
    }
    return j;
  }
}

function hasSampleAfter(series: Series, from: number, now: number): boolean {
  for (let i = series.timestamps.length - 1; i >= 0 && series.timestamps[i] > from; i--) {
    if (series.timestamps[i] <= now && Number.isFinite(series.values[i])) return true;
  }
  return false;
}

interface InScopeSeries {
  key: string;
  series: Series;
  j: SeriesJudgement;
  /** The judgement a held build's shift from the level before the deploy replaced (that breach counts only with a quiet reference group). */
  persisting?: SeriesJudgement;
}

/** Sorts a check's series for one deploy and judges the in-scope ones on their post-deploy points. */
function judgeInScope(judged: CheckJudgements, state: PipelineState, deploy: TrackedDeploy, now: number, names: ScopeLabelNames) {
  const { check } = judged;
  const place = placer(state, deploy, names);
  const masked = deploy.deployAt > now - check.detector.window * 1000;
  const inScope: InScopeSeries[] = [];
  const reference: Array<{ key: string; series: Series }> = [];
  const exposed: Array<{ key: string; series: Series }> = [];
  for (const { key, series } of judged.series()) {
    const p = place(series.labels);
    if (p === 'reference') reference.push({ key, series });
    if (p === 'exposed') exposed.push({ key, series });
    if (p !== 'in') continue;
    // Why: the plain verdict is the same judgement when the whole window is after the deploy.
    const j = masked
      ? judgeSeries(check, series, now, judged.seasonalOf(key), { judgeFrom: deploy.deployAt, seasonalReplay: true, baseline: baselineOf(judged.data, series.labels) })
      : withSeasonalRepeat(check, judged.get(key, series), now, judged.seasonalOf(key));
    inScope.push({ key, series, j });
  }
  return { inScope, reference, exposed };
}

/**
 * Replaces non-breaching anomaly verdicts by a post-deploy shift breach where there is one, and for
 * a deploy held past its bake by its shift from the level before the deploy (shift.ts, marked
 * `persisting`); true if any.
 */
function applyShifts(judged: CheckJudgements, inScope: InScopeSeries[], deploy: TrackedDeploy, from: number, now: number): boolean {
  let shifted = false;
  const held = deploy.heldSince !== undefined && deploy.heldSince <= now && from > deploy.deployAt;
  for (const s of inScope) {
    if (countsAsAnomaly(judged.check, s.j.anomaly)) continue;
    let shift = postDeployShift(judged.check, s.series, s.j.anomaly, from, now);
    if (!shift && held) {
      shift = persistingShift(judged.check, s.series, s.j.anomaly.rule, deploy, from, now);
      if (shift) s.persisting = s.j;
    }
    if (!shift) continue;
    shifted = true;
    const repeat = shiftRepeatsSeasonally(judged.check, s.series, judged.seasonalOf(s.key), shift, from, now);
    s.j = { ...s.j, anomaly: shift, seasonalRepeat: repeat };
  }
  return shifted;
}

/** Puts back the judgements that persisting-shift breaches replaced. */
function dropPersisting(inScope: InScopeSeries[]): void {
  for (const s of inScope) {
    if (!s.persisting) continue;
    s.j = s.persisting;
    delete s.persisting;
  }
}

/**
 * Marks detector breaches as seasonal when the same span a day earlier deviated from that day's
 * baseline too. The detector replay (judge.ts) catches a breach that alarmed yesterday as well; this
 * catches the rest of the daily spike, whose alarm yesterday came at its onset, before the span judged now.
 */
function markSeasonalShapes(judged: CheckJudgements, inScope: InScopeSeries[], from: number, now: number): void {
  for (const s of inScope) {
    if (s.j.anomaly.kind !== 'breach' || s.j.seasonalRepeat) continue;
    if (shiftRepeatsSeasonally(judged.check, s.series, judged.seasonalOf(s.key), s.j.anomaly, from, now)) s.j = { ...s.j, seasonalRepeat: true };
  }
}

/**
 * The signals one check raises for one deploy: in-scope series are judged on points after the
 * deploy reached them (earlier points are not the build's doing); the reference group (out of
 * scope, not running the build) gives the "is it everywhere?" counts carried by every signal.
 */
export function deployCheckOutcome(
  check: CheckConfig,
  fetch: CheckFetch | undefined,
  state: PipelineState,
  deploy: TrackedDeploy,
  now: number,
  names: ScopeLabelNames,
  states?: DetectorStates,
): DeployCheckOutcome {
  const base: DeployCheckOutcome = { check: check.name, signals: [], seasonalRepeats: 0, inScope: 0, reference: 0 };
  if (!fetch || !fetch.ok) return { ...base, missing: fetch && !fetch.ok ? `${fetch.error.code}: ${fetch.error.message}` : 'not fetched' };
  const judged = new CheckJudgements(check, fetch.data, now, states);
  const { inScope, reference: referenceSeries, exposed } = judgeInScope(judged, state, deploy, now, names);
  const out: DeployCheckOutcome = { ...base, inScope: inScope.length, reference: referenceSeries.length };
  if (inScope.length === 0) return { ...out, missing: 'no series in scope' };
  // Data is missing when the backend has no recent samples, not when the deploy is too recent to have any.
  const windowStart = now - check.detector.window * 1000;
  if (inScope.every((s) => !hasSampleAfter(s.series, windowStart, now))) return { ...out, missing: 'no recent samples in scope' };
  const from = Math.max(deploy.deployAt, now - check.detector.window * 1000);
  const shifted = applyShifts(judged, inScope, deploy, from, now);
  const zs = inScope.map((s) => Math.abs(s.j.anomaly.z ?? NaN)).filter(Number.isFinite);
  if (zs.length > 0) out.maxAbsZ = Math.max(...zs);
  const counted = () => inScope.filter((s) => countsAsAnomaly(check, s.j.anomaly));
  // Breaches are checked against the same time a day and a week earlier: fetch those windows first.
  if ((shifted || breachTogether(check, counted(), inScope.length, from, now)) && !fetch.data.dayAgo) return { ...out, needsSeasonal: true };
  // Blame only what the deploy changed (blame.ts): not what was there before it, the season or a restart.
  out.notTheDeploy = disownInScope(check, inScope, (k) => judged.seasonalOf(k), (v) => countsAsAnomaly(check, v), deploy.deployAt, now, settledAt(deploy, now));
  const anomalous = counted();
  const breaching = inScope.some((s) => s.j.anomaly.kind === 'breach' || s.j.threshold?.kind === 'breach');
  // Reference verdicts matter only for confidence, i.e. only when something in scope breaches.
  const reference = breaching ? referenceSeries.map(({ key, series }) => ({ series, j: judged.get(key, series) })) : [];
  const effect = relativeEffect(anomalous.map((s) => s.j.anomaly), anomalous.map((s) => spanMean(s.series, from, now).mean));
  const refs = reference.map((r) => ({ series: r.series, anomaly: r.j.anomaly }));
  const count = (list: Readonly<typeof refs>) => countReference(check, list, effect, (v) => comparable(check, v), deploy.deployAt, from, now);
  // Breaches all in one AZ are compared with that AZ's reference series first (an outage of the AZ);
  // its exposed series are judged only then.
  const exposedIn = (az: string) => exposed.filter((e) => e.series.labels[names.az] === az).map(({ key, series }) => ({ series, anomaly: judged.get(key, series).anomaly }));
  const refAnomaly = oneAzReference(anomalous.map((s) => s.j), refs, count(refs), names.az, count, exposedIn);
  const refThreshold = countRef(check, reference.map((r) => r.j), (j) => j.threshold);
  const refMoved = refAnomaly.series > 0 && refAnomaly.breaching / refAnomaly.series > NOISE_SHARE;
  // Why only when the reference moves too: the daily spike is everywhere; a bad build deployed at
  // the time a bad build ran yesterday is not, and must not pass as "the season".
  if (refMoved) markSeasonalShapes(judged, inScope, from, now);
  // Why only with a quiet reference group: a held build's lasting shift is for the escalation to
  // roll back (high confidence); without a group to compare (staging) or with one that moved too, it
  // would only keep a hold that no one decides, where the fading shift lets the build move on to a
  // stage that can tell.
  if (refAnomaly.thin || refAnomaly.series === 0 || refMoved) dropPersisting(inScope);
  const together = breachTogether(check, counted(), inScope.length, from, now);
  for (const { j, series } of inScope) {
    const mk = (verdict: Verdict, ref: Counts): Signal => {
      const sig: Signal = { check: check.name, labels: j.labels, inScope: true, at: now, verdict, reference: ref };
      const l = links(check, deploy, j.labels, now, names);
      if (l) sig.links = l;
      return sig;
    };
    if (together && countsAsAnomaly(check, j.anomaly)) {
      // Why: a breach that happened at the same time yesterday or last week is the season (the 2 pm spike).
      if (j.seasonalRepeat) out.seasonalRepeats++;
      else out.signals.push(mk(j.anomaly, refAnomaly));
    }
    if (j.threshold?.kind === 'breach') {
      const sig = mk(j.threshold, refThreshold);
      const clear = clearBefore(check, series, deploy.deployAt, j.threshold);
      if (clear !== undefined) sig.clearBefore = clear;
      out.signals.push(sig);
    }
  }
  return out;
}
