import type { GateCheckEvidence, GateRecord, GateVerdict } from '../domain/gate.js';
import type { Signal } from '../domain/events.js';
import { darkReason } from './dark.js';
import { cellText, type ScopeFreshness } from './freshness.js';

/**
 * The promotion gate's judgement, pure: what one evaluation after the bake saw for each check, and
 * the verdict the orchestrator gets (see pipeline/gate.ts for how it is used). A check passes only
 * when the evaluation reached the backend, every in-scope cell (environment x tier x AZ) has samples
 * since the deploy finished with the newest within the staleness bound, and nothing breached.
 */

/** What the monitor knows about one check for one deploy in one tick. */
export interface GateCheckInput {
  check: string;
  /** The fetch failed (backend down, query rejected): the message. */
  fetchError?: string;
  /** No usable data by the monitor's own rules (e.g. no series in scope). */
  missing?: string;
  freshness?: ScopeFreshness;
  /** In-scope signals this tick that point at the build (breaches, dark cells). */
  signals: readonly Signal[];
  /** In-scope breaches the reference group shows as much (not the build's): noted, not blocking. */
  elsewhere?: number;
  /** Largest in-scope |z| the detector computed, and the threshold it is held to. */
  maxAbsZ?: number;
  threshold?: number;
}

const iso = (t: number) => new Date(t).toISOString();

function emptyEvidence(c: GateCheckInput, now: number): GateCheckEvidence {
  const f = c.freshness;
  const cells = f?.cells ?? [];
  const newest = cells.length > 0 && cells.every((x) => x.newestAt !== null) ? Math.min(...cells.map((x) => x.newestAt!)) : null;
  const e: GateCheckEvidence = {
    check: c.check,
    verdict: 'pass',
    reason: '',
    inScopeSeries: cells.reduce((n, x) => n + x.series, 0),
    freshSeries: cells.filter((x) => x.fresh).reduce((n, x) => n + x.series, 0),
    samplesSinceDeploy: cells.reduce((n, x) => n + x.samplesSinceDeploy, 0),
    newestSampleAt: newest,
    newestSampleAgeMs: newest === null ? null : now - newest,
    stalenessBoundMs: f?.boundMs ?? 0,
  };
  if (c.maxAbsZ !== undefined) e.z = c.maxAbsZ;
  if (c.threshold !== undefined) e.threshold = c.threshold;
  return e;
}

/** The verdict and reason for one check. `scope` names the deployed scope for reasons. */
export function gateCheckEvidence(c: GateCheckInput, scope: string, deployFinishedAt: number, now: number): GateCheckEvidence {
  const e = emptyEvidence(c, now);
  const f = c.freshness;
  const say = (verdict: GateVerdict, reason: string): GateCheckEvidence => ({ ...e, verdict, reason: `${c.check}: ${reason}` });
  if (c.fetchError !== undefined) return say('inconclusive', `the metrics backend did not answer for ${scope}: ${c.fetchError}`);
  if (!f || e.inScopeSeries === 0) return say('inconclusive', `no series in scope ${scope}: never reported (a new AZ or a misconfigured label?)`);
  if (f.missingAzs.length > 0) return say('inconclusive', `no series for az ${f.missingAzs.join(', ')} in scope ${scope}: never reported (a new AZ or a misconfigured label?)`);
  const dark = c.signals.find((s) => s.verdict.rule === 'dark');
  if (dark) return say('breach', dark.verdict.reason);
  const stale = f.cells.find((x) => !x.fresh);
  if (stale) {
    const why = darkReason(stale, deployFinishedAt, f).replace(/^went dark after the deploy: /, '').replace(/ while .*$/, '');
    const where =
      f.referenceCells === 0
        ? 'and there are no reference series to tell the build from the metrics system'
        : f.referenceFresh === 0
          ? 'and no reference series report either: the metrics system is at fault, not the build'
          : 'too soon after the deploy to call it dark';
    return say('inconclusive', `no fresh samples: ${why}, ${where}`);
  }
  if (c.missing !== undefined) return say('inconclusive', `${c.missing} (${scope})`);
  const breach = c.signals[0];
  if (breach) return say('breach', `${cellText(breach.labels)}: ${breach.verdict.reason}`);
  const age = e.newestSampleAgeMs === null ? '' : `, newest ${Math.round(e.newestSampleAgeMs / 1000)} s old`;
  const elsewhere = c.elsewhere ? `; ${c.elsewhere} breach(es) seen as much outside the scope (not the build)` : '';
  return say('pass', `${e.inScopeSeries} in-scope series fresh (${e.samplesSinceDeploy} samples since the deploy${age}), no breach${elsewhere}`);
}

/** Combines the checks: any breach is a breach, else any inconclusive is inconclusive, else pass. */
export function gateRecord(
  base: Omit<GateRecord, 'id' | 'verdict' | 'reason' | 'checks'>,
  checks: GateCheckEvidence[],
): GateRecord {
  const worst = checks.find((c) => c.verdict === 'breach') ?? checks.find((c) => c.verdict === 'inconclusive');
  const verdict: GateVerdict = worst?.verdict ?? 'pass';
  const reason = worst
    ? worst.reason
    : checks.length === 0
      ? 'no checks configured: passes without evidence'
      : `all ${checks.length} checks saw fresh samples from every in-scope series since the deploy, no breach`;
  return { id: `gate:${base.buildId}:${base.stage}:${base.evaluatedAt}`, ...base, verdict, reason, checks };
}

/** The scope text of a stage for reasons: `environment=commercial tier=canary az=az1|az2`. */
export function scopeText(scope: GateRecord['scope']): string {
  return `environment=${scope.environment} tier=${scope.tier} az=${scope.azs.join('|')}`;
}

/** One line per check, for `releasebot evaluate` and logs. */
export function formatGate(g: GateRecord): string[] {
  const lines = [`gate ${g.verdict} for ${g.buildId} @ ${g.stage} (${scopeText(g.scope)}) at ${iso(g.evaluatedAt)}: ${g.reason}`];
  for (const c of g.checks) {
    const age = c.newestSampleAgeMs === null ? 'no sample' : `newest ${(c.newestSampleAgeMs / 1000).toFixed(1)} s old (bound ${(c.stalenessBoundMs / 1000).toFixed(0)} s)`;
    const z = c.z !== undefined ? `, max |z| ${c.z.toFixed(2)}${c.threshold !== undefined ? ` / ${c.threshold}` : ''}` : '';
    lines.push(`  ${c.verdict.padEnd(12)} ${c.check}: ${c.inScopeSeries} in-scope series (${c.freshSeries} fresh), ${c.samplesSinceDeploy} samples since the deploy, ${age}${z} - ${c.reason}`);
  }
  return lines;
}
