import type { CheckConfig } from '../config/schema.js';
import type { Labels } from '../domain/events.js';
import { ReleasebotError } from '../domain/errors.js';
import type { MetricsSource } from '../metrics/source.js';
import type { ScopeLabelNames } from './scope.js';

/**
 * When did each part of the fleet last export a sample? A check's points do not say: PromQL keeps
 * a series alive for its range window (`rate(x[5m])` has values for up to 5 minutes after the last
 * scrape), so a crashed canary looks fresh for that long. The probe asks the metrics server for the
 * real sample times of the raw series behind the check: `max by (scope labels) (timestamp(selector))`
 * for every range selector in the query. Queries without range selectors need no probe (their points
 * end with the series, through Prometheus' staleness markers).
 */

/** One scope cell's newest raw sample time. */
export interface ProbedCell {
  labels: Labels;
  newestAt: number;
}

/** The vector selectors used with a range in a PromQL query (`name{matchers}[5m]`), deduplicated. */
export function rangeSelectors(query: string): string[] {
  const out = new Set<string>();
  const re = /([A-Za-z_:][A-Za-z0-9_:]*)?\s*(\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\})?\s*\[[^\]:]+\]/g;
  for (const m of query.matchAll(re)) {
    const sel = `${m[1] ?? ''}${m[2] ?? ''}`.trim();
    if (sel) out.add(sel);
  }
  return [...out];
}

/** The probe query for one selector. */
export function probeQuery(selector: string, names: ScopeLabelNames): string {
  return `max by (${names.environment}, ${names.tier}, ${names.az}) (timestamp(${selector}))`;
}

/**
 * Newest raw sample per scope cell over the check's range selectors, or undefined when the check
 * needs no probe or the backend cannot answer this form (QUERY_FAILED: the caller falls back to the
 * points). A backend that is down rejects (BACKEND_DOWN), as any fetch.
 */
export async function probeNewest(source: Pick<MetricsSource, 'query'>, check: CheckConfig, now: number, names: ScopeLabelNames): Promise<ProbedCell[] | undefined> {
  const selectors = rangeSelectors(check.query);
  if (selectors.length === 0) return undefined;
  try {
    const results = await Promise.all(selectors.map((s) => source.query(probeQuery(s, names), now)));
    const cells = new Map<string, ProbedCell>();
    for (const sample of results.flat()) {
      const key = JSON.stringify(Object.entries(sample.labels).sort());
      const at = sample.value * 1000;
      const prev = cells.get(key);
      if (Number.isFinite(at) && (!prev || at > prev.newestAt)) cells.set(key, { labels: sample.labels, newestAt: at });
    }
    return [...cells.values()];
  } catch (err) {
    if (err instanceof ReleasebotError && err.code === 'QUERY_FAILED') return undefined;
    throw err;
  }
}

/** The newest probed sample of the cells matching `cell` (labels absent from `cell` match anything), or null. */
export function probedNewest(probe: readonly ProbedCell[], cell: Labels): number | null {
  let newest: number | null = null;
  for (const p of probe) {
    if (Object.entries(cell).some(([k, v]) => p.labels[k] !== undefined && p.labels[k] !== v)) continue;
    if (newest === null || p.newestAt > newest) newest = p.newestAt;
  }
  return newest;
}
