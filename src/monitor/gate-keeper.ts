import type { CheckConfig, Config } from '../config/schema.js';
import type { Signal } from '../domain/events.js';
import type { GateCheckEvidence, GateRecord } from '../domain/gate.js';
import type { Observation } from '../pipeline/observation.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import { checkConfidence } from './assess.js';
import { darkSignals } from './dark.js';
import type { CheckFetch } from './fetch.js';
import { scopeFreshness } from './freshness.js';
import { gateCheckEvidence, gateRecord, scopeText } from './gate.js';
import type { ProbedCell } from './sample-probe.js';
import { placer, type DeployScope } from './scope.js';

interface GateKeeperDeps {
  config: Config;
  store: Store;
  pipeline: { observe(obs: Observation): Promise<unknown> };
  stepMs: number;
  log: (line: string) => void;
}

/** What the gate keeper adds to one check's outcome for one deploy. */
export interface GateCheckResult {
  /** "Went dark after the deploy" signals (in scope). */
  dark: Signal[];
  /** Why the check has no usable evidence for this deploy (inconclusive), for the no-data block and hold. */
  inconclusive?: string;
}

const keyOf = (d: { buildId: string; stage: string }) => `${d.buildId}@${d.stage}`;

/**
 * The monitor's side of the promotion gate (the rule is in pipeline/gate.ts, the judgement in
 * gate.ts): per tick it measures freshness per deploy and check, raises dark signals, and for every
 * build whose bake has ended reports a verdict with its stored evidence. Keeps per deploy only the
 * moment its deploy finished and the last stored verdict (to store repeats of a non-pass once).
 */
export class GateKeeper {
  private readonly finished = new Map<string, number>();
  private readonly evidence = new Map<string, GateCheckEvidence[]>();
  private readonly lastStored = new Map<string, string>();

  constructor(private readonly deps: GateKeeperDeps) {}

  /** When the deploy finished (its bake began); undefined while it is still deploying. */
  deployFinishedAt(state: PipelineState, d: DeployScope): number | undefined {
    const key = keyOf(d);
    if (d.phase === 'deploying') {
      this.finished.delete(key);
      return undefined;
    }
    let at = this.finished.get(key);
    if (at === undefined) {
      const slot = state.slots[d.stageIndex];
      const bake = (state.stages[d.stageIndex]?.bakeSeconds ?? 0) * 1000;
      // First seen after the bake: bake end minus bake time is no earlier than the real finish (stricter).
      at = d.phase === 'baking' ? d.since : (slot?.bakeEndedAt ?? d.since) - bake;
      this.finished.set(key, at);
    }
    return at;
  }

  /** Freshness, dark signals and gate evidence of one check for one deploy; call once per tick per pair. */
  checkDeploy(
    state: PipelineState,
    d: DeployScope,
    check: CheckConfig,
    fetch: CheckFetch | undefined,
    outcome: { missing?: string; signals: Signal[]; maxAbsZ?: number },
    now: number,
    probe?: ProbedCell[],
  ): GateCheckResult {
    const finishedAt = this.deployFinishedAt(state, d);
    if (finishedAt === undefined) return { dark: [] };
    const names = this.deps.config.scopeLabels;
    const stale = this.deps.config.monitor.staleness;
    const freshness = fetch?.ok
      ? scopeFreshness(fetch.data.current, placer(state, d, names), { azs: d.azs, deployFinishedAt: finishedAt }, now, names, { stepMs: this.deps.stepMs, ...(stale !== undefined ? { boundMs: stale * 1000 } : {}), ...(probe ? { probe } : {}) })
      : undefined;
    const dark = freshness ? darkSignals(check.name, freshness, finishedAt, now) : [];
    const ev = gateCheckEvidence(
      {
        check: check.name,
        ...(fetch && !fetch.ok ? { fetchError: `${fetch.error.code}: ${fetch.error.message}` } : {}),
        ...(outcome.missing !== undefined ? { missing: outcome.missing } : {}),
        ...(freshness ? { freshness } : {}),
        // Why not every breach: one the reference group shows as much (low confidence, e.g. the daily
        // spike or an outside incident) is not the build's; the event policy decides about those.
        signals: [...outcome.signals.filter((s) => s.inScope && checkConfidence(s.reference) !== 'low'), ...dark],
        elsewhere: outcome.signals.filter((s) => s.inScope && checkConfidence(s.reference) === 'low').length,
        ...(outcome.maxAbsZ !== undefined ? { maxAbsZ: outcome.maxAbsZ, threshold: check.detector.threshold } : {}),
      },
      scopeText(d),
      finishedAt,
      now,
    );
    const key = keyOf(d);
    const list = this.evidence.get(key) ?? [];
    list.push(ev);
    this.evidence.set(key, list);
    // Too soon after the deploy for a first sample: not yet a reason to block.
    const settled = now - finishedAt > (freshness?.boundMs ?? 0);
    return { dark, ...(ev.verdict === 'inconclusive' && (settled || fetch?.ok === false) ? { inconclusive: ev.reason } : {}) };
  }

  /**
   * Reports a verdict for every deploy whose bake has ended ('ready'), last stage first so that a
   * chain of passes moves at once, storing the evidence. In shadow mode it stores and logs only.
   */
  async report(state: PipelineState, deploys: DeployScope[], now: number): Promise<GateRecord[]> {
    const out: GateRecord[] = [];
    for (const d of [...deploys].reverse()) {
      const key = keyOf(d);
      const checks = this.evidence.get(key) ?? [];
      this.evidence.delete(key);
      if (d.phase !== 'ready') continue;
      const slot = state.slots[d.stageIndex];
      const finishedAt = this.deployFinishedAt(state, d) ?? d.since;
      const rec = gateRecord({ buildId: d.buildId, stage: d.stage, scope: { environment: d.environment, tier: d.tier, azs: [...d.azs] }, evaluatedAt: now, deployFinishedAt: finishedAt, ...(slot?.bakeEndedAt !== undefined ? { bakeEndedAt: slot.bakeEndedAt } : {}) }, checks);
      out.push(rec);
      await this.store(key, rec);
      if (this.deps.config.policy.shadow) continue;
      await this.deps.pipeline.observe({ type: 'gate_verdict', buildId: d.buildId, stage: d.stage, verdict: rec.verdict, evaluatedAt: now, reason: rec.reason, recordId: rec.id });
    }
    this.forget(deploys);
    return out;
  }

  /** Passes are always stored (a promotion links to them); a non-pass only when it differs from the last one. */
  private async store(key: string, rec: GateRecord): Promise<void> {
    const sig = `${rec.verdict}\u0000${rec.reason}`;
    if (rec.verdict !== 'pass' && this.lastStored.get(key) === sig) return;
    this.lastStored.set(key, sig);
    await this.deps.store.putGateRecord(rec);
    if (rec.verdict !== 'pass') this.deps.log(`monitor: gate ${rec.verdict} for ${rec.buildId} @ ${rec.stage}: ${rec.reason}`);
  }

  private forget(live: DeployScope[]): void {
    const keys = new Set(live.map(keyOf));
    for (const m of [this.finished, this.evidence, this.lastStored]) for (const k of [...m.keys()]) if (!keys.has(k)) m.delete(k);
  }
}
