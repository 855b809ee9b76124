import type { Labels } from '../domain/events.js';
import type { Series } from '../metrics/source.js';
import { probedNewest, type ProbedCell } from './sample-probe.js';
import type { ScopeLabelNames, SeriesPlace } from './scope.js';

/**
 * Freshness of one check's series for one deploy, per scope cell (environment x tier x AZ label
 * values). Pure. Why cells, not series: a deploy replaces processes, so per-instance series end and
 * new ones begin; what must keep reporting is each part of the fleet the stage deploys to.
 */

/** One scope cell's data: its series and samples. */
export interface CellFreshness {
  /** Scope labels of the cell (absent labels omitted: a series aggregated over them). */
  labels: Labels;
  series: number;
  /** Finite samples after the deploy finished, over the cell's series. */
  samplesSinceDeploy: number;
  /** Newest finite sample time over the cell's series, or null. */
  newestAt: number | null;
  /** Has a sample after the deploy finished and the newest is within the staleness bound. */
  fresh: boolean;
}

/** The freshness picture of one check for one deploy at one moment. */
export interface ScopeFreshness {
  /** Newest sample must be at most this old. */
  boundMs: number;
  /** In-scope cells. */
  cells: CellFreshness[];
  /** AZs the stage deploys to without any in-scope series (never reported, or a label mismatch). */
  missingAzs: string[];
  /** Out-of-scope comparison cells ('reference' placement), and how many of them are fresh. */
  referenceCells: number;
  referenceFresh: number;
}

/** Staleness bound: the configured one, else 3 x the observed sample spacing (at least 3 x `stepMs`). */
export const STALE_INTERVALS = 3;

/** Median spacing of consecutive sample times over the series (undefined when no series has two samples). */
export function observedSpacing(series: readonly Series[]): number | undefined {
  const gaps: number[] = [];
  for (const s of series) {
    for (let i = Math.max(1, s.timestamps.length - 20); i < s.timestamps.length; i++) gaps.push(s.timestamps[i] - s.timestamps[i - 1]);
  }
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

export function stalenessBound(series: readonly Series[], stepMs: number, configuredMs?: number): number {
  if (configuredMs !== undefined && configuredMs > 0) return configuredMs;
  return STALE_INTERVALS * Math.max(stepMs, observedSpacing(series) ?? stepMs);
}

function cellLabels(labels: Labels, names: ScopeLabelNames): Labels {
  const out: Labels = {};
  for (const n of [names.environment, names.tier, names.az]) if (labels[n] !== undefined) out[n] = labels[n];
  return out;
}

function newestFinite(s: Series): { newest: number | null; since: (t: number) => number } {
  let newest: number | null = null;
  for (let i = s.timestamps.length - 1; i >= 0; i--) {
    if (Number.isFinite(s.values[i])) {
      newest = s.timestamps[i];
      break;
    }
  }
  const since = (t: number) => {
    let n = 0;
    for (let i = s.timestamps.length - 1; i >= 0 && s.timestamps[i] > t; i--) if (Number.isFinite(s.values[i])) n++;
    return n;
  };
  return { newest, since };
}

/**
 * Groups series into cells and measures each cell against `from` (deploy finished) and `now - bound`.
 * With a probe, a cell's newest sample is the newest raw sample the server holds for it (points of
 * range functions outlive the samples behind them).
 */
function cellsOf(series: readonly Series[], names: ScopeLabelNames, from: number, now: number, boundMs: number, probe?: readonly ProbedCell[]): CellFreshness[] {
  const cells = new Map<string, CellFreshness>();
  for (const s of series) {
    const labels = cellLabels(s.labels, names);
    const key = JSON.stringify(Object.entries(labels).sort());
    const c = cells.get(key) ?? { labels, series: 0, samplesSinceDeploy: 0, newestAt: null, fresh: false };
    const f = newestFinite(s);
    c.series++;
    c.samplesSinceDeploy += f.since(from);
    if (f.newest !== null && (c.newestAt === null || f.newest > c.newestAt)) c.newestAt = f.newest;
    cells.set(key, c);
  }
  for (const c of cells.values()) {
    if (probe) c.newestAt = probedNewest(probe, c.labels);
    c.fresh = c.samplesSinceDeploy > 0 && c.newestAt !== null && c.newestAt > from && now - c.newestAt <= boundMs;
  }
  return [...cells.values()];
}

/**
 * Sorts a check's series with `place` and measures freshness: in-scope cells need a sample after
 * `deployFinishedAt` and a newest sample no older than the bound; the reference cells only a fresh
 * newest sample (they did not deploy).
 */
export function scopeFreshness(
  series: readonly Series[],
  place: (labels: Labels) => SeriesPlace,
  deploy: { azs: readonly string[]; deployFinishedAt: number },
  now: number,
  names: ScopeLabelNames,
  opts: { stepMs: number; boundMs?: number; probe?: readonly ProbedCell[] },
): ScopeFreshness {
  const inScope = series.filter((s) => place(s.labels) === 'in');
  const reference = series.filter((s) => place(s.labels) === 'reference');
  const boundMs = stalenessBound(series, opts.stepMs, opts.boundMs);
  const cells = cellsOf(inScope, names, deploy.deployFinishedAt, now, boundMs, opts.probe);
  const refCells = cellsOf(reference, names, -Infinity, now, boundMs, opts.probe);
  const missingAzs = deploy.azs.filter((az) => !inScope.some((s) => s.labels[names.az] === undefined || s.labels[names.az] === az));
  return { boundMs, cells, missingAzs, referenceCells: refCells.length, referenceFresh: refCells.filter((c) => c.fresh).length };
}

/** `environment=commercial tier=canary az=az1` for reasons and logs. */
export function cellText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(' ') : '(no scope labels)';
}
