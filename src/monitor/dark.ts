import type { Signal } from '../domain/events.js';
import { cellText, type CellFreshness, type ScopeFreshness } from './freshness.js';

/**
 * "Went dark after the deploy": in-scope cells whose series stopped reporting (no sample since the
 * deploy finished, or the newest older than the staleness bound) while the same check's reference
 * cells still report. A crash-looping build usually stops exporting metrics, so this is a signal of
 * its own, counted like an anomaly breach (rule `dark`), with the reference group's share of fresh
 * cells as its confidence. When nothing reports anywhere it is the metrics system, not the build:
 * no signal here (the gate is inconclusive instead).
 */
export function darkSignals(check: string, f: ScopeFreshness, deployFinishedAt: number, now: number): Signal[] {
  // Give the first scrape after the deploy time to land before calling a cell dark.
  if (now - deployFinishedAt <= f.boundMs) return [];
  if (f.referenceFresh === 0) return [];
  const reference = { series: f.referenceCells, breaching: f.referenceCells - f.referenceFresh };
  return f.cells.filter((c) => !c.fresh).map((c) => ({
    check,
    labels: c.labels,
    inScope: true,
    at: now,
    verdict: { kind: 'breach', rule: 'dark', reason: darkReason(c, deployFinishedAt, f) },
    reference,
  }));
}

/** Why a cell counts as dark, naming the scope and its last sample. */
export function darkReason(c: CellFreshness, deployFinishedAt: number, f: ScopeFreshness): string {
  const last = c.newestAt === null ? 'no sample in the window' : `last sample at ${new Date(c.newestAt).toISOString()}`;
  const since = c.samplesSinceDeploy === 0 ? `none since the deploy finished at ${new Date(deployFinishedAt).toISOString()}` : `newest older than ${Math.round(f.boundMs / 1000)} s`;
  return `went dark after the deploy: ${cellText(c.labels)} stopped reporting (${last}; ${since}) while ${f.referenceFresh}/${f.referenceCells} reference cells still report`;
}
