import type { Labels } from '../domain/events.js';
import { renderPushdown } from './pushdown.js';
import type { MetricsSource } from './source.js';

/** Baseline statistics of one series, as the z-score rule reads them. */
export interface BaselineStats {
  mean: number;
  std: number;
  count: number;
}

/** Baselines by series (keyed by `baselineKey`: the labels without `__name__`, which `*_over_time` drops). */
export type BaselineIndex = Map<string, BaselineStats>;

/** What to push down: the check's query, its baseline and judged window, the step grid, and the judged moment (on the grid). */
export interface BaselineRequest {
  query: string;
  baselineMs: number;
  windowMs: number;
  stepMs: number;
  /** Evaluation time; must lie on the step grid so that subquery points are the range query's points. */
  atMs: number;
}

/**
 * Mean, population standard deviation and count of each series' baseline, computed by the
 * metrics server (`avg_over_time`, `stddev_over_time`, `count_over_time` over a subquery on the
 * step grid, `offset` the judged window), three instant queries instead of the baseline's raw
 * samples. The range is the baseline minus 1 ms so it is left-open on every backend (Prometheus
 * 2.x closes it on the left, 3.x and VictoriaMetrics do not): exactly the points
 * at - window - baseline < t <= at - window, as the detector takes them from samples. Verified
 * equal to local arithmetic on Prometheus and VictoriaMetrics (test/metrics-pushdown-baseline.test.ts).
 */
export async function fetchBaselines(source: Pick<MetricsSource, 'query'>, req: BaselineRequest): Promise<BaselineIndex> {
  const vars = { query: req.query, baselineMs: req.baselineMs - 1, windowMs: req.windowMs, stepMs: req.stepMs };
  const [mean, std, count] = await Promise.all(
    (['baselineMean', 'baselineStd', 'baselineCount'] as const).map((t) => source.query(renderPushdown(t, vars), req.atMs)),
  );
  const out: BaselineIndex = new Map();
  for (const s of mean) out.set(baselineKey(s.labels), { mean: s.value, std: NaN, count: 0 });
  for (const s of std) {
    const b = out.get(baselineKey(s.labels));
    if (b) b.std = s.value;
  }
  for (const s of count) {
    const b = out.get(baselineKey(s.labels));
    if (b) b.count = s.value;
  }
  return out;
}

/** Identity of a series across a range query and its `*_over_time` push-down: sorted labels without `__name__`. */
export function baselineKey(labels: Labels): string {
  let out = '';
  for (const k of Object.keys(labels).sort()) if (k !== '__name__') out += `${k}\u0001${labels[k]}\u0002`;
  return out;
}
