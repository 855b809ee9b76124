import type { Config } from '../config/schema.js';
import type { DeployEvent, Signal } from '../domain/events.js';
import type { CheckChart } from './chart.js';
import { isAnomalyRule } from './assess.js';
import { alignDown, type RangeFetcher } from './fetch.js';
import { matchesScope } from './scope.js';

const HOUR_MS = 3_600_000;

export interface ChartDeps {
  config: Config;
  fetcher: RangeFetcher;
  now: number;
  stepMs: number;
}

/** The strongest in-scope anomaly signal of a check: its mean, std and z threshold draw the band. */
function strongest(signals: Signal[]): Signal | undefined {
  return signals
    .filter((s) => s.inScope && isAnomalyRule(s.verdict.rule) && s.verdict.mean !== undefined && s.verdict.std !== undefined)
    .sort((a, b) => Math.abs(b.verdict.z ?? 0) - Math.abs(a.verdict.z ?? 0))[0];
}

/**
 * Chart data for an event: every series of each breaching check from an hour before the deploy
 * to now (or ten minutes after the event closed), sorted in / out of the deploy's scope, the
 * baseline mean with its threshold-sigma band, the static and dynamic levels, and the moments
 * of the deploy and of the first breach. A check whose query fails is left out.
 */
export async function chartsForEvent(event: DeployEvent, deps: ChartDeps): Promise<CheckChart[]> {
  const stage = deps.config.pipeline.stages.find((s) => s.name === event.stage);
  const spec = stage ? { environment: stage.environment, tier: stage.tier, azs: stage.azs } : {};
  const start = (event.deployAt ?? event.openedAt) - HOUR_MS;
  const end = Math.min(deps.now, event.closedAt !== undefined ? event.closedAt + 10 * 60_000 : deps.now);
  const names = [...new Set(event.signals.map((s) => s.check))];
  const charts: CheckChart[] = [];
  for (const name of names) {
    const check = deps.config.checks.find((c) => c.name === name);
    if (!check) continue;
    let series;
    try {
      series = await deps.fetcher.queryRange(check.query, alignDown(start, deps.stepMs), end, deps.stepMs);
    } catch {
      continue;
    }
    const signals = event.signals.filter((s) => s.check === name);
    const chart: CheckChart = {
      check: name,
      series: series.map((s) => ({ labels: s.labels, inScope: matchesScope(s.labels, spec, deps.config.scopeLabels), timestamps: Array.from(s.timestamps), values: Array.from(s.values) })),
    };
    const top = strongest(signals);
    const ts = chart.series.find((s) => s.inScope)?.timestamps ?? chart.series[0]?.timestamps;
    if (top && ts) {
      const { mean = 0, std = 0, threshold = check.detector.threshold } = top.verdict;
      chart.baseline = {
        timestamps: ts,
        mean: ts.map(() => mean),
        lower: ts.map(() => mean - threshold * std),
        upper: ts.map(() => mean + threshold * std),
      };
    }
    if (check.static !== undefined) chart.staticThreshold = check.static;
    const dyn = signals.filter((s) => (s.verdict.rule === 'dynamic' || s.verdict.rule === 'seasonal') && s.verdict.threshold !== undefined);
    if (dyn.length > 0) chart.dynamicThreshold = dyn[dyn.length - 1].verdict.threshold;
    if (event.deployAt !== undefined) chart.deployAt = event.deployAt;
    chart.breachAt = Math.min(...signals.map((s) => s.firstAt ?? s.at));
    charts.push(chart);
  }
  return charts;
}
