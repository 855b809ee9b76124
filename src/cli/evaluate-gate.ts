import type { Config } from '../config/schema.js';
import type { Signal } from '../domain/events.js';
import type { GateRecord } from '../domain/gate.js';
import type { Series } from '../metrics/source.js';
import { darkSignals } from '../monitor/dark.js';
import { DEFAULT_STEP_MS } from '../monitor/fetch.js';
import { scopeFreshness } from '../monitor/freshness.js';
import { gateCheckEvidence, gateRecord, scopeText } from '../monitor/gate.js';
import { matchesScope, type ScopeSpec } from '../monitor/scope.js';
import type { EvaluatedSeries } from './evaluate.js';

/** What `evaluate` fetched and judged for one check, as the gate needs it. */
export interface GateInput {
  name: string;
  series: Series[];
  judged: EvaluatedSeries[];
  error?: string;
}

/**
 * The promotion gate as the monitor would evaluate it at `at` for a deploy to `scope` that finished
 * at `deployedAt`: per check freshness of every in-scope cell, dark cells, breaches (out-of-scope
 * series are the reference group; no exposure to other stages is known here).
 */
export function evaluateGate(config: Config, inputs: GateInput[], scope: ScopeSpec, at: number, deployedAt: number): GateRecord {
  const names = config.scopeLabels;
  const place = (labels: Record<string, string>) => (matchesScope(labels, scope, names) ? 'in' : 'reference') as 'in' | 'reference';
  const text = scopeText({ environment: scope.environment ?? '*', tier: scope.tier ?? '*', azs: scope.azs ?? ['*'] });
  const checks = inputs.map((c) => {
    const check = config.checks.find((x) => x.name === c.name)!;
    const stale = config.monitor.staleness;
    const freshness = scopeFreshness(c.series, place, { azs: scope.azs ?? [], deployFinishedAt: deployedAt }, at, names, { stepMs: DEFAULT_STEP_MS, ...(stale !== undefined ? { boundMs: stale * 1000 } : {}) });
    const breaches: Signal[] = c.judged
      .filter((s) => s.inScope && s.verdict === 'breach')
      .map((s) => ({ check: c.name, labels: s.labels, inScope: true, at, verdict: { kind: 'breach', rule: s.rules[0]?.rule ?? 'zscore', reason: s.reason } }));
    const zs = c.judged.filter((s) => s.inScope && s.z !== null).map((s) => Math.abs(s.z!));
    return gateCheckEvidence(
      { check: c.name, ...(c.error !== undefined ? { fetchError: c.error } : {}), freshness, signals: [...breaches, ...darkSignals(c.name, freshness, deployedAt, at)], ...(zs.length ? { maxAbsZ: Math.max(...zs), threshold: check.detector.threshold } : {}) },
      text,
      deployedAt,
      at,
    );
  });
  return gateRecord({ buildId: '(evaluate)', stage: '(scope)', scope: { environment: scope.environment ?? '*', tier: scope.tier ?? '*', azs: scope.azs ?? [] }, evaluatedAt: at, deployFinishedAt: deployedAt }, checks);
}
