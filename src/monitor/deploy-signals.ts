import type { CheckConfig } from '../config/schema.js';
import { renderLinkTemplate } from '../config/link-template.js';
import type { Labels, Signal } from '../domain/events.js';
import type { Verdict } from '../detect/verdict.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Series } from '../metrics/source.js';
import type { CheckFetch } from './fetch.js';
import { labelsKey } from './fetch.js';
import { judgeSeries, seasonalIndex, type SeriesJudgement } from './judge.js';
import { placer, type DeployScope, type ScopeLabelNames } from './scope.js';

/** A deploy in progress with the moment it reached its stage. */
export interface TrackedDeploy extends DeployScope {
  deployAt: number;
}

/** What one tick found for one deploy and one check. */
export interface DeployCheckOutcome {
  check: string;
  signals: Signal[];
  /** Set when the check has no usable data for this deploy (fetch failed, no series, no recent samples). */
  missing?: string;
  /** Anomaly breaches dropped because they repeat at the same time a day or a week ago. */
  seasonalRepeats: number;
  inScope: number;
  reference: number;
}

type Counts = { series: number; breaching: number };

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

/** Minimum in-scope series breaching at once for a check to signal: one noisy series is not the build, when it runs on several. */
export function neededInScope(inScope: number): number {
  return Math.min(2, inScope);
}

/**
 * False for a verdict on a series below the check's minimum volume: it passes because it has too
 * little traffic to show anything, so it says nothing about whether a problem is everywhere.
 */
function comparable(check: CheckConfig, v: Verdict): boolean {
  const min = check.detector.minVolume;
  if (min === undefined || min <= 0) return true;
  const level = Math.max(Math.abs(v.mean ?? 0), Math.abs(v.value ?? 0));
  return level >= min;
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
 * Judges every series of every fetched check once, at `now`, without regard to any deploy
 * (the reference verdicts). Keyed by check name, then by label set.
 */
export function judgeAll(checks: CheckConfig[], fetched: Map<string, CheckFetch>, now: number): Map<string, Map<string, { series: Series; j: SeriesJudgement }>> {
  const out = new Map<string, Map<string, { series: Series; j: SeriesJudgement }>>();
  for (const check of checks) {
    const f = fetched.get(check.name);
    if (!f || !f.ok) continue;
    const idx = seasonalIndex(f.data);
    const m = new Map<string, { series: Series; j: SeriesJudgement }>();
    for (const s of f.data.current) {
      const k = labelsKey(s.labels);
      m.set(k, { series: s, j: judgeSeries(check, s, now, { dayAgo: idx.dayAgo.get(k), weekAgo: idx.weekAgo.get(k) }) });
    }
    out.set(check.name, m);
  }
  return out;
}

/**
 * The signals one check raises for one deploy: in-scope series are judged on points after the
 * deploy reached them (earlier points are not the build's doing); the reference group (out of
 * scope, not running the build) gives the "is it everywhere?" counts carried by every signal.
 */
export function deployCheckOutcome(
  check: CheckConfig,
  fetch: CheckFetch | undefined,
  judged: Map<string, { series: Series; j: SeriesJudgement }> | undefined,
  state: PipelineState,
  deploy: TrackedDeploy,
  now: number,
  names: ScopeLabelNames,
): DeployCheckOutcome {
  const base: DeployCheckOutcome = { check: check.name, signals: [], seasonalRepeats: 0, inScope: 0, reference: 0 };
  if (!fetch || !fetch.ok || !judged) return { ...base, missing: fetch && !fetch.ok ? `${fetch.error.code}: ${fetch.error.message}` : 'not fetched' };
  const place = placer(state, deploy, names);
  const idx = seasonalIndex(fetch.data);
  const inScope: SeriesJudgement[] = [];
  const reference: SeriesJudgement[] = [];
  for (const [k, { series, j }] of judged) {
    const p = place(series.labels);
    if (p === 'reference') reference.push(j);
    if (p !== 'in') continue;
    inScope.push(judgeSeries(check, series, now, { dayAgo: idx.dayAgo.get(k), weekAgo: idx.weekAgo.get(k) }, { judgeFrom: deploy.deployAt, seasonalReplay: true }));
  }
  const out: DeployCheckOutcome = { ...base, inScope: inScope.length, reference: reference.length };
  if (inScope.length === 0) return { ...out, missing: 'no series in scope' };
  if (inScope.every((j) => j.recentSamples === 0)) return { ...out, missing: 'no recent samples in scope' };
  const refAnomaly = countRef(check, reference, (j) => (j.anomaly.kind === 'breach' && !countsAsAnomaly(check, j.anomaly) ? { ...j.anomaly, kind: 'pass' } : j.anomaly));
  const refThreshold = countRef(check, reference, (j) => j.threshold);
  const anomalous = inScope.filter((j) => countsAsAnomaly(check, j.anomaly));
  const together = anomalous.length >= neededInScope(inScope.length);
  for (const j of inScope) {
    const mk = (verdict: Verdict, ref: Counts): Signal => {
      const s: Signal = { check: check.name, labels: j.labels, inScope: true, at: now, verdict, reference: ref };
      const l = links(check, deploy, j.labels, now, names);
      if (l) s.links = l;
      return s;
    };
    if (together && countsAsAnomaly(check, j.anomaly)) {
      // Why: a breach that happened at the same time yesterday or last week is the season (the 2 pm spike).
      if (j.seasonalRepeat) out.seasonalRepeats++;
      else out.signals.push(mk(j.anomaly, refAnomaly));
    }
    if (j.threshold?.kind === 'breach') out.signals.push(mk(j.threshold, refThreshold));
  }
  return out;
}
