import type { DeployEvent, Signal } from '../domain/events.js';
import type { GateRecord } from '../domain/gate.js';
import { eventHeadline, seriesKey } from '../notify/event-headline.js';

/** One row of a per-check verdict table (as Kayenta's canary report has it). */
export interface VerdictRow {
  check: string;
  /** "in deploy scope" or "rest of the fleet", with the series' locations. */
  scope: string;
  inScope: boolean;
  verdict: 'breach' | 'pass' | 'inconclusive' | 'error';
  /** Series that gave this verdict, and (for the in-scope row) the reference series compared with. */
  series: number;
  reference?: { series: number; breaching: number };
  /** The strongest series' latest value and its usual level (baseline mean). */
  value?: number;
  usual?: number;
  /** The rule and threshold in force ("z 3", "static 0.05"). */
  rule: string;
  threshold?: number;
  z?: number;
  /** Samples behind the verdict, when a gate record counted them. */
  samples?: number;
  since: number;
}

function locations(signals: Signal[]): string {
  const locs = [...new Set(signals.map((s) => s.labels.az ?? s.labels.zone ?? s.labels.region ?? Object.values(s.labels).join('/')))];
  return locs.slice(0, 6).join(', ') + (locs.length > 6 ? ` +${locs.length - 6}` : '');
}

/** Groups an event's signals per check and scope into verdict rows, strongest first. Pure. */
export function verdictRows(e: DeployEvent): VerdictRow[] {
  const groups = new Map<string, Signal[]>();
  for (const s of e.signals) {
    const k = `${s.check}\u0000${s.inScope}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const rows = [...groups.values()].map((list): VerdictRow => {
    const top = list.reduce((a, b) => (Math.abs(b.verdict.z ?? 0) > Math.abs(a.verdict.z ?? 0) ? b : a));
    const v = top.verdict;
    const row: VerdictRow = {
      check: top.check,
      scope: `${top.inScope ? 'in deploy scope' : 'rest of the fleet'} (${locations(list)})`,
      inScope: top.inScope,
      verdict: v.kind,
      series: new Set(list.map(seriesKey)).size,
      rule: v.rule,
      since: Math.min(...list.map((s) => s.firstAt ?? s.at)),
    };
    if (top.reference) row.reference = top.reference;
    if (v.value !== undefined && Number.isFinite(v.value)) row.value = v.value;
    if (v.mean !== undefined && Number.isFinite(v.mean)) row.usual = v.mean;
    if (v.threshold !== undefined && Number.isFinite(v.threshold)) row.threshold = v.threshold;
    if (v.z !== undefined && Number.isFinite(v.z)) row.z = v.z;
    return row;
  });
  return rows.sort((a, b) => Number(b.inScope) - Number(a.inScope) || Math.abs(b.z ?? 0) - Math.abs(a.z ?? 0));
}

/** Adds samples from the newest gate record of the same build and stage, when one exists. Pure. */
export function withGateSamples(rows: VerdictRow[], gate: GateRecord | undefined): VerdictRow[] {
  if (!gate) return rows;
  return rows.map((r) => {
    const c = gate.checks.find((g) => g.check === r.check);
    return c && r.inScope ? { ...r, samples: c.samplesSinceDeploy } : r;
  });
}

/** The newest gate record per stage (a gate is evaluated again and again while a build waits), oldest stage first. Pure. */
export function latestGatePerStage(records: GateRecord[]): GateRecord[] {
  const byStage = new Map<string, GateRecord>();
  for (const r of records) {
    const prev = byStage.get(r.stage);
    if (!prev || r.evaluatedAt >= prev.evaluatedAt) byStage.set(r.stage, r);
  }
  return [...byStage.values()].sort((a, b) => a.evaluatedAt - b.evaluatedAt);
}

/**
 * An event as pages show it: with its headline and verdict table; with `gates` (the build's newest
 * gate record per stage) the in-scope rows also carry the samples the gate counted.
 */
export function presentEvent(e: DeployEvent, gates: GateRecord[] = []): DeployEvent & { headline: string; verdicts: VerdictRow[] } {
  return { ...e, headline: eventHeadline(e), verdicts: withGateSamples(verdictRows(e), gates.find((g) => g.stage === e.stage && g.buildId === e.buildId)) };
}
