import { checkSchema, type CheckConfig } from '../../src/config/schema.js';
import { PrometheusSource } from '../../src/metrics/prometheus.js';
import { DEFAULT_STEP_MS, directFetcher, fetchCheck } from '../../src/monitor/fetch.js';
import { judgeSeries, seasonalIndex } from '../../src/monitor/judge.js';
import { labelsKey } from '../../src/monitor/fetch.js';

/** The fleet's metrics with the direction a team would watch them in. */
const METRICS = [
  ['http_errors_rate', 'up'],
  ['http_latency_p95_ms', 'up'],
  ['jobs_failed_rate', 'up'],
  ['http_requests_rate', 'down'],
] as const;

type Margin = { relative: number; sigmas: number };
type DetectorType = CheckConfig['detector']['type'];

/** Breaches of each threshold rule over healthy moments, per margin variant. */
export interface HealthyBreaches {
  moments: number;
  /** `variant.rule` -> series-moments judged (pass or breach). */
  seriesMoments: Record<string, number>;
  breaches: Record<string, number>;
  share: Record<string, number>;
}

/**
 * Judges every series of a healthy fleet in Prometheus at each moment with `dynamic` and `seasonal`
 * checks and no `static` (the rule alone), once per named margin, and counts threshold breaches per
 * variant and rule; with `detectors`, also the anomaly rule of each detector type (`anomaly.TYPE`,
 * the verdict the monitor counts). Each metric is fetched once per moment (today, 1 d and 7 d ago) and judged by
 * every variant: the same path as the monitor and `evaluate` (fetchCheck, judgeSeries). No build is
 * deployed and no incident injected: every breach is a false one.
 */
export async function healthyThresholdBreaches(
  url: string,
  moments: number[],
  margins: Record<string, Margin | undefined>,
  detectors: readonly DetectorType[] = [],
): Promise<HealthyBreaches> {
  const source = new PrometheusSource({ url, timeoutMs: 30_000, retries: 1 });
  const fetcher = directFetcher(source, DEFAULT_STEP_MS);
  const out: HealthyBreaches = { moments: moments.length, seriesMoments: {}, breaches: {}, share: {} };
  for (const at of moments) {
    for (const [metric, direction] of METRICS) {
      const base = checkSchema.parse({ name: metric, query: metric, direction, dynamic: 'seasonal' });
      const f = await fetchCheck(fetcher, base, at, { seasonal: true });
      if (!f.ok) throw new Error(`${metric} at ${new Date(at).toISOString()}: ${f.error.message}`);
      if (f.data.current.length === 0) throw new Error(`${metric}: no series`);
      const idx = seasonalIndex(f.data);
      for (const type of detectors) {
        const check = checkSchema.parse({ name: metric, query: metric, direction, detector: { type } });
        const key = `anomaly.${type}`;
        for (const s of f.data.current) {
          const v = judgeSeries(check, s, at, undefined).anomaly;
          if (v.kind !== 'pass' && v.kind !== 'breach') continue;
          out.seriesMoments[key] = (out.seriesMoments[key] ?? 0) + 1;
          if (v.kind === 'breach') out.breaches[key] = (out.breaches[key] ?? 0) + 1;
        }
      }
      for (const [variant, margin] of Object.entries(margins)) {
        for (const mode of ['dynamic', 'seasonal'] as const) {
          const check: CheckConfig = { ...base, dynamic: mode, ...(margin ? { margin } : {}) };
          const key = `${variant}.${mode}`;
          for (const s of f.data.current) {
            const k = labelsKey(s.labels);
            const v = judgeSeries(check, s, at, { dayAgo: idx.dayAgo.get(k), weekAgo: idx.weekAgo.get(k) }).threshold;
            if (!v || (v.kind !== 'pass' && v.kind !== 'breach')) continue;
            out.seriesMoments[key] = (out.seriesMoments[key] ?? 0) + 1;
            if (v.kind === 'breach') out.breaches[key] = (out.breaches[key] ?? 0) + 1;
          }
        }
      }
    }
  }
  for (const k of Object.keys(out.seriesMoments)) out.share[k] = (out.breaches[k] ?? 0) / out.seriesMoments[k];
  return out;
}

/** `n` moments spread over [from, to) on a 15 s grid: evenly, each moved by a deterministic jitter. */
export function spreadMoments(from: number, to: number, n: number, seed = 1): number[] {
  const out: number[] = [];
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    const t = from + ((i + a / 2 ** 32) * (to - from)) / n;
    out.push(Math.floor(t / 15_000) * 15_000);
  }
  return out;
}
