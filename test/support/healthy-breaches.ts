import { configSchema } from '../../src/config/schema.js';
import { evaluateChecks } from '../../src/cli/evaluate.js';
import { PrometheusSource } from '../../src/metrics/prometheus.js';

/** The fleet's metrics with the direction a team would watch them in. */
const METRICS = [
  ['http_errors_rate', 'up'],
  ['http_latency_p95_ms', 'up'],
  ['jobs_failed_rate', 'up'],
  ['http_requests_rate', 'down'],
] as const;

/** Breaches of each threshold rule over healthy moments: `rule` -> share of series-moments that breached. */
export interface HealthyBreaches {
  moments: number;
  seriesMoments: Record<string, number>;
  breaches: Record<string, number>;
  share: Record<string, number>;
}

/**
 * Judges every series of a healthy fleet in Prometheus at each moment with `dynamic` and `seasonal`
 * checks and no `static` (the rule alone), with the given margin (undefined: the default), and
 * counts threshold breaches per rule. No build is deployed and no incident injected: every breach
 * is a false one.
 */
export async function healthyThresholdBreaches(url: string, moments: number[], margin?: { relative: number; sigmas: number }): Promise<HealthyBreaches> {
  const checks = METRICS.flatMap(([metric, direction]) =>
    (['dynamic', 'seasonal'] as const).map((mode) => ({ name: `${metric}.${mode}`, query: metric, direction, dynamic: mode, ...(margin ? { margin } : {}) })),
  );
  const config = configSchema.parse({
    pipeline: { stages: [{ name: 's', environment: 'commercial', tier: 'canary', azs: ['az1'], percent: 100 }] },
    metrics: { type: 'prometheus', url },
    checks,
  });
  const source = new PrometheusSource({ url, timeoutMs: 30_000, retries: 1 });
  const out: HealthyBreaches = { moments: moments.length, seriesMoments: {}, breaches: {}, share: {} };
  for (const at of moments) {
    const r = await evaluateChecks(config, source, at);
    for (const c of r.checks) {
      if (c.error) throw new Error(`check ${c.name} at ${new Date(at).toISOString()}: ${c.error}`);
      const mode = c.name.split('.')[1];
      for (const s of c.series) {
        const rule = s.rules.find((x) => x.unit === 'value');
        if (!rule || rule.verdict === 'inconclusive' || rule.verdict === 'error') continue;
        out.seriesMoments[mode] = (out.seriesMoments[mode] ?? 0) + 1;
        if (rule.verdict === 'breach') out.breaches[mode] = (out.breaches[mode] ?? 0) + 1;
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
