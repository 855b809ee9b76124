import type { Command } from 'commander';
import { ManualClock, SystemClock } from '../clock/clock.js';
import type { CheckConfig, Config } from '../config/schema.js';
import { ConfigError, formatProblem, loadConfig } from '../config/load.js';
import type { Labels } from '../domain/events.js';
import type { Verdict, VerdictKind } from '../detect/verdict.js';
import { createMetricsSource } from '../metrics/create-source.js';
import type { MetricsSource } from '../metrics/source.js';
import { DEFAULT_STEP_MS, directFetcher, fetchCheck, labelsKey } from '../monitor/fetch.js';
import { judgeSeries, seasonalIndex, type SeriesJudgement } from '../monitor/judge.js';
import { countsAsAnomaly } from '../monitor/deploy-signals.js';
import { matchesScope, parseScopeSpec, type ScopeSpec } from '../monitor/scope.js';
import { EXIT_CONFIG_INVALID } from './check-config.js';
import { parseAt } from './parse-at.js';
import { evaluateGate, type GateInput } from './evaluate-gate.js';
import { formatGate } from '../monitor/gate.js';
import type { GateRecord } from '../domain/gate.js';

export { parseAt };

/** One rule's verdict on a series, with the threshold in force in the rule's own unit. */
export interface EvaluatedRule {
  rule: Verdict['rule'];
  verdict: VerdictKind;
  /** z for the anomaly rules (zscore, default), the metric's unit for static/dynamic/seasonal. */
  unit: 'z' | 'value';
  /** The threshold in force; null only when the rule could not judge (no history, no data). */
  threshold: number | null;
}

/** One series in `releasebot evaluate --json`. Numbers are null when the rule produced none. */
export interface EvaluatedSeries {
  labels: Labels;
  inScope: boolean;
  verdict: VerdictKind;
  value: number | null;
  mean: number | null;
  std: number | null;
  z: number | null;
  /** The threshold in force of the deciding rule (in its unit, see `rules`). */
  threshold: number | null;
  /** Every rule of the check with its own threshold in force (the anomaly rule first). */
  rules: EvaluatedRule[];
  reason: string;
}

export interface EvaluateOutput {
  at: string;
  checks: Array<{ name: string; series: EvaluatedSeries[]; error?: string }>;
  /** With a scope: the promotion gate for a deploy there that finished at `--deployed-at`. */
  gate?: GateRecord;
}

const RANK: Record<VerdictKind, number> = { breach: 3, error: 2, inconclusive: 1, pass: 0 };
const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);

/** The verdict that decides a series (breach > error > inconclusive > pass; the anomaly rule wins ties). */
function primary(anomaly: Verdict, threshold: Verdict | undefined): Verdict {
  if (!threshold) return anomaly;
  return RANK[threshold.kind] > RANK[anomaly.kind] ? threshold : anomaly;
}

/**
 * The anomaly verdict as the monitor counts it, with the z threshold in force: a default-detector
 * alarm counts only at |z| >= `detector.threshold` (deploy-signals.ts), so a smaller one is shown as
 * a pass that says so, and its threshold is that z, never the detector's internal score.
 */
function countedAnomaly(check: CheckConfig, v: Verdict): Verdict {
  const z = check.detector.threshold;
  if (v.kind === 'breach' && !countsAsAnomaly(check, v)) {
    return { ...v, kind: 'pass', threshold: z, reason: `${v.reason} (|z| below ${z}: not counted)` };
  }
  return { ...v, threshold: z };
}

function toSeries(check: CheckConfig, j: SeriesJudgement, inScope: boolean): EvaluatedSeries {
  const anomaly = countedAnomaly(check, j.anomaly);
  const v = primary(anomaly, j.threshold);
  const parts = [`${anomaly.rule}: ${anomaly.kind}, ${anomaly.reason}`];
  if (j.threshold) parts.push(`${j.threshold.rule}: ${j.threshold.kind}, ${j.threshold.reason}`);
  if (j.seasonalRepeat) parts.push('the anomaly repeats at this time, at about this size, 1 d and 7 d ago (every period fetched; seasonal: the monitor ignores it)');
  const rules: EvaluatedRule[] = [{ rule: anomaly.rule, verdict: anomaly.kind, unit: 'z', threshold: num(anomaly.threshold) }];
  if (j.threshold) rules.push({ rule: j.threshold.rule, verdict: j.threshold.kind, unit: 'value', threshold: num(j.threshold.threshold) });
  return { labels: j.labels, inScope, verdict: v.kind, value: num(v.value), mean: num(v.mean), std: num(v.std), z: num(v.z), threshold: num(v.threshold), rules, reason: parts.join('; ') };
}

/**
 * One tick of every check at `at`: fetch, judge every series, and mark it in or out of `scope`
 * (no scope: every series counts as in scope). A check whose query fails lists no series and an error.
 */
export async function evaluateChecks(config: Config, source: MetricsSource, at: number, scope?: ScopeSpec, deployedAt?: number): Promise<EvaluateOutput> {
  const fetcher = directFetcher(source, DEFAULT_STEP_MS);
  const checks: EvaluateOutput['checks'] = [];
  const gateInputs: GateInput[] = [];
  for (const check of config.checks) {
    const f = await fetchCheck(fetcher, check, at, { seasonal: true });
    if (!f.ok) {
      checks.push({ name: check.name, series: [], error: `${f.error.code}: ${f.error.message}` });
      gateInputs.push({ name: check.name, series: [], judged: [], error: `${f.error.code}: ${f.error.message}` });
      continue;
    }
    const idx = seasonalIndex(f.data);
    const series = f.data.current.map((s) => {
      const k = labelsKey(s.labels);
      const j = judgeSeries(check, s, at, { dayAgo: idx.dayAgo.get(k), weekAgo: idx.weekAgo.get(k) }, { seasonalReplay: true });
      return toSeries(check, j, scope ? matchesScope(s.labels, scope, config.scopeLabels) : true);
    });
    checks.push({ name: check.name, series, ...(series.length === 0 ? { error: 'no data: the query returned no series' } : {}) });
    gateInputs.push({ name: check.name, series: f.data.current, judged: series });
  }
  const out: EvaluateOutput = { at: new Date(at).toISOString(), checks };
  if (scope) out.gate = evaluateGate(config, gateInputs, scope, at, deployedAt ?? at - 10 * 60_000);
  return out;
}

const f = (x: number | null, d = 3) => (x === null ? '-' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(d));

/** The human-readable table. */
export function formatEvaluate(out: EvaluateOutput): string {
  const lines = [`at ${out.at}`];
  for (const c of out.checks) {
    lines.push('', `check ${c.name}${c.error ? `  (${c.error})` : ''}`);
    for (const s of c.series) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',');
      const th = s.rules.map((r) => `${r.rule} ${r.unit === 'z' ? '|z|>=' : 'at '}${f(r.threshold)}`).join(', ');
      lines.push(`  ${s.inScope ? 'IN ' : 'out'} ${s.verdict.padEnd(12)} value=${f(s.value)} mean=${f(s.mean)} std=${f(s.std)} z=${f(s.z)} thresholds: ${th}  {${labels}}`);
      lines.push(`      ${s.reason}`);
    }
  }
  if (out.gate) lines.push('', ...formatGate(out.gate));
  return lines.join('\n');
}

/** Registers `releasebot evaluate --config FILE [--at TIME] [--scope tier=canary,az=az1] [--json]`. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('run one tick of every check at a time (default now) and print per series the numbers, threshold, verdict and scope')
    .requiredOption('--config <file>', 'releasebot.yaml')
    .option('--at <time>', 'ISO-8601 time with a zone, epoch seconds or epoch ms (default: now)')
    .option('--scope <labels>', 'the deploy scope, e.g. tier=canary,az=az1 (az may repeat)')
    .option('--deployed-at <time>', 'with --scope: when the deploy finished, for the promotion gate (default: 10 minutes before --at)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { config: string; at?: string; scope?: string; deployedAt?: string; json?: boolean }) => {
      try {
        const config = loadConfig(opts.config);
        const at = opts.at ? parseAt(opts.at) : Date.now();
        const scope = opts.scope ? parseScopeSpec(opts.scope, config.scopeLabels) : undefined;
        // The simulated fleet has samples up to its clock's now: pin it at --at.
        const clock = opts.at ? new ManualClock(at) : new SystemClock();
        const out = await evaluateChecks(config, createMetricsSource(config.metrics, { clock }), at, scope, opts.deployedAt ? parseAt(opts.deployedAt) : undefined);
        console.log(opts.json ? JSON.stringify(out) : formatEvaluate(out));
        if (out.checks.some((c) => c.error && c.series.length === 0)) process.exitCode = 1;
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(err.problems.map((p) => formatProblem(opts.config, p)).join('\n'));
          process.exitCode = EXIT_CONFIG_INVALID;
          return;
        }
        console.error(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      }
    });
}
