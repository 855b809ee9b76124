import type { Config } from '../config/schema.js';
import type { Notification } from '../notify/notification.js';
import type { PipelineActions } from '../pipeline/control.js';
import type { Observation } from '../pipeline/observation.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import { MONITOR_ACTOR } from './event-actions.js';
import { decideNoData } from './policy.js';
import type { DeployScope } from './scope.js';

interface NoDataDeps {
  config: Config;
  store: Store;
  pipeline: PipelineActions & { snapshot(): PipelineState; observe(obs: Observation): Promise<unknown> };
  notify: (n: Notification) => void;
  log?: (line: string) => void;
}

/** Block source for a check without data. */
export const noDataBlockSource = (check: string) => `monitor:nodata:${check}`;
/** Reasons of the monitor's own no-data holds start with this, so it lifts only its own hold. */
const HOLD_PREFIX = 'monitor: no data';

/**
 * Missing data is not health. While a check has no data for a deploy, that deploy's stage may not
 * promote (a block naming the check); after `policy.noDataHold` the whole pipeline holds, saying
 * why; when data is back the block and the monitor's own hold lift. Nothing here ever rolls back.
 * In shadow mode it only logs and records a `would_hold` decision.
 */
export class NoDataTracker {
  /** Since when each deploy+check has had no data, and why. */
  private readonly missing = new Map<string, { since: number; stage: string; buildId: string; check: string; why: string }>();
  private heldFor: string | null = null;

  constructor(private readonly deps: NoDataDeps) {}

  /** Records one check's data state for one deploy at `now` (`why` undefined: data present). */
  async observe(d: DeployScope, check: string, why: string | undefined, now: number): Promise<void> {
    const key = `${d.buildId}@${d.stage}#${check}`;
    const prev = this.missing.get(key);
    if (why === undefined) {
      if (!prev) return;
      this.missing.delete(key);
      if (!this.deps.config.policy.shadow) await this.deps.pipeline.observe({ type: 'unblock', stage: d.stage, source: noDataBlockSource(check) });
      this.deps.log?.(`monitor: data for check ${check} is back on ${d.stage}`);
      return;
    }
    const since = prev?.since ?? now;
    this.missing.set(key, { since, stage: d.stage, buildId: d.buildId, check, why });
    if (prev) return;
    const outcome = decideNoData(check, since, now, this.deps.config.policy, why);
    this.deps.log?.(`monitor: ${outcome.reason} on ${d.stage} (build ${d.buildId}): not promoting`);
    if (this.deps.config.policy.shadow) return;
    await this.deps.pipeline.observe({ type: 'block', stage: d.stage, source: noDataBlockSource(check), reason: outcome.reason });
    await this.deps.store.appendDecision({
      id: `monitor:nodata:${key}:${since}`,
      at: now,
      kind: 'hold',
      actor: MONITOR_ACTOR,
      reason: `blocked ${d.stage}: ${outcome.reason}`,
      buildId: d.buildId,
      stage: d.stage,
      evidence: { check, why },
    });
  }

  /** Forgets deploys that ended (lifting their blocks) and holds / lifts the pipeline hold. */
  async settle(live: DeployScope[], now: number): Promise<void> {
    const liveKeys = new Set(live.map((d) => `${d.buildId}@${d.stage}`));
    for (const [key, m] of [...this.missing]) {
      if (liveKeys.has(`${m.buildId}@${m.stage}`)) continue;
      this.missing.delete(key);
      if (!this.deps.config.policy.shadow) await this.deps.pipeline.observe({ type: 'unblock', stage: m.stage, source: noDataBlockSource(m.check) });
    }
    const policy = this.deps.config.policy;
    const overdue = [...this.missing.values()]
      .map((m) => ({ m, o: decideNoData(m.check, m.since, now, policy, m.why) }))
      .filter((x) => x.o.hold);
    if (overdue.length > 0 && this.heldFor === null) {
      const first = overdue[0];
      const reason = `${HOLD_PREFIX}: ${first.o.reason} on ${first.m.stage}`;
      this.heldFor = first.m.check;
      await this.hold(reason, first.m.buildId, first.m.stage, now);
    } else if (overdue.length === 0 && this.heldFor !== null) {
      const check = this.heldFor;
      this.heldFor = null;
      const hold = this.deps.pipeline.snapshot().hold;
      // Why: lift only the monitor's own no-data hold, never one a person (or a rollback) put there.
      if (!policy.shadow && hold && hold.actor.id === MONITOR_ACTOR.id && hold.reason.startsWith(HOLD_PREFIX)) {
        await this.deps.pipeline.resume(MONITOR_ACTOR, `monitor: data for check ${check} is back`);
      }
    }
  }

  private async hold(reason: string, buildId: string, stage: string, now: number): Promise<void> {
    this.deps.log?.(reason);
    if (this.deps.config.policy.shadow) {
      await this.deps.store.appendDecision({ id: `monitor:nodata:${buildId}:${stage}:${now}`, at: now, kind: 'would_hold', actor: MONITOR_ACTOR, reason: `would have held: ${reason}`, buildId, stage });
      return;
    }
    await this.deps.pipeline.observe({ type: 'hold', actor: MONITOR_ACTOR, reason });
    this.deps.notify({ type: 'team', key: `nodata-hold:${buildId}:${stage}:${now}`, text: reason, at: now });
  }
}
