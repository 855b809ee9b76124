import type { Config } from '../config/schema.js';
import type { DeployEvent } from '../domain/events.js';
import type { Actor, Decision } from '../domain/pipeline.js';
import type { Notification } from '../notify/notification.js';
import type { Observation } from '../pipeline/observation.js';
import type { PipelineState, SlotState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import { escalationText } from '../notify/event-headline.js';
import { withAction } from './events.js';
import { decideEventActions, type MonitorAction } from './policy.js';

/** The monitor's identity in the decision log. */
export const MONITOR_ACTOR: Actor = { kind: 'bot', id: 'monitor' };

interface ActionDeps {
  config: Config;
  store: Store;
  pipeline: { observe(obs: Observation): Promise<unknown> };
  notify: (n: Notification) => void;
  log?: (line: string) => void;
}

/** Block source of an event on its stage. */
export const eventBlockSource = (eventId: string) => `monitor:event:${eventId}`;

/** The evidence behind a decision: the event's numbers per in-scope series. */
export function eventEvidence(e: DeployEvent): Record<string, unknown> {
  const series = e.signals
    .filter((s) => s.inScope)
    .sort((a, b) => Math.abs(b.verdict.z ?? 0) - Math.abs(a.verdict.z ?? 0))
    .slice(0, 20)
    .map((s) => ({
      check: s.check,
      labels: s.labels,
      rule: s.verdict.rule,
      value: s.verdict.value,
      mean: s.verdict.mean,
      std: s.verdict.std,
      z: s.verdict.z,
      threshold: s.verdict.threshold,
      reason: s.verdict.reason,
      reference: s.reference,
      firstAt: s.firstAt ?? s.at,
      at: s.at,
    }));
  return { eventId: e.id, severity: e.severity, confidence: e.confidence, summary: e.summary, deployAt: e.deployAt, checks: [...new Set(series.map((s) => s.check))], series };
}

/**
 * How long the event's build has been held at its stage past its bake by its own evidence
 * (`SlotState.heldSince`, kept in the pipeline state), or undefined when it is not held there.
 */
function heldFor(slot: SlotState | undefined, e: Pick<DeployEvent, 'buildId'>, now: number): number | undefined {
  if (!slot || slot.buildId !== e.buildId || slot.heldSince === undefined) return undefined;
  return Math.max(0, now - slot.heldSince);
}

/** The event's summary, and its escalation when there was one (for reasons and pages). */
function withEscalation(e: DeployEvent): string {
  const escalated = escalationText(e);
  return escalated ? `${e.summary}; ${escalated}` : e.summary;
}

const PAGE_SEVERITY: Record<DeployEvent['severity'], 'critical' | 'error' | 'warning' | 'info'> = {
  fire: 'critical',
  siren: 'critical',
  red: 'error',
  blue: 'warning',
  white: 'info',
};

/**
 * Carries out the policy for events: blocks the stage, stops, rolls back, pages — each at most
 * once per event (remembered in the store, so a restart does not repeat it) — or, in shadow
 * mode, only says what it would have done. Emits one `event` notification per revision.
 */
export class EventActions {
  constructor(private readonly deps: ActionDeps) {}

  /**
   * Applies the policy to `event` (open or just closed) at `now`; returns the event with its action
   * (and escalation, see `heldFor`) recorded.
   */
  async apply(event: DeployEvent, state: PipelineState, revised: boolean, now = event.updatedAt): Promise<DeployEvent> {
    const policy = this.deps.config.policy;
    if (event.status === 'closed') {
      // Its stage block is lifted by releaseStale; a page it triggered is resolved.
      const paged = (await this.deps.store.getKv('monitor-actions', `${event.id}:page`)) !== undefined;
      if (paged && (await this.once(event.id, 'page-resolve'))) this.page(event, 'resolve');
      this.emit(event, undefined);
      return event;
    }
    const slot = state.slots.find((s) => s.stage === event.stage);
    const held = heldFor(slot, event, now);
    const outcome = decideEventActions(event, policy, held === undefined ? undefined : { heldForMs: held, now });
    let acted = withAction(event, outcome.primary);
    // Recorded once, and again when an offer turns into a rollback (fresh evidence of the deploy's own).
    if (outcome.escalated && held !== undefined && acted.escalated?.action !== outcome.escalated) {
      acted = { ...acted, escalated: { at: now, heldForMs: held, action: outcome.escalated, ...(outcome.evidence ? { evidence: outcome.evidence } : {}) } };
    }
    const blockable = slot?.buildId === event.buildId && slot.blocks[eventBlockSource(event.id)] === undefined;
    for (const action of outcome.actions) await this.perform(action, acted, blockable, outcome.shadow);
    if (revised || acted.revision !== event.revision) this.emit(acted, outcome.shadow ? outcome.text : undefined);
    return acted;
  }

  /**
   * Lifts event blocks (read from the pipeline state, so this also works after a restart) whose
   * event closed or whose build left the stage: a new occupant must not inherit them.
   */
  async releaseStale(state: PipelineState, open: Map<string, DeployEvent>): Promise<void> {
    const byId = new Map([...open.values()].map((e) => [e.id, e]));
    const prefix = eventBlockSource('');
    for (const slot of state.slots) {
      for (const source of Object.keys(slot.blocks)) {
        if (!source.startsWith(prefix)) continue;
        const e = byId.get(source.slice(prefix.length));
        if (e && e.buildId === slot.buildId && e.stage === slot.stage) continue;
        await this.deps.pipeline.observe({ type: 'unblock', stage: slot.stage, source });
      }
    }
  }

  /**
   * Lifts the monitor's own stop once the build it stopped for is rolled back (by the bot or a
   * person): what it stopped for is gone, and the stop would otherwise wait for a person forever.
   * A stop anyone else put there is never touched.
   */
  async liftResolvedStop(state: PipelineState, resume: (reason: string) => Promise<void>): Promise<void> {
    const hold = state.hold;
    if (!hold || hold.kind !== 'stop' || hold.actor.id !== MONITOR_ACTOR.id || hold.actor.kind !== 'bot') return;
    const eventId = /^event (\S+):/.exec(hold.reason)?.[1];
    const event = eventId ? await this.deps.store.getEvent(eventId) : undefined;
    const status = event ? state.builds[event.buildId]?.status : undefined;
    if (event && (status === 'tainted' || status === 'rolled_back')) {
      await resume(`monitor: build ${event.buildId} that event ${event.id} stopped the pipeline for was rolled back`);
    }
  }

  private async perform(action: MonitorAction, e: DeployEvent, occupies: boolean, shadow: boolean): Promise<void> {
    const reason = `event ${e.id}: ${withEscalation(e)}`;
    if (shadow) {
      // Why: shadow mode runs everything but touches nothing; the decision log says what would have happened.
      if (action === 'rollback' || action === 'stop' || action === 'hold') {
        if (await this.once(e.id, `shadow-${action}`)) await this.decide(e, action === 'rollback' ? 'would_rollback' : 'would_hold', `would have ${action === 'rollback' ? 'rolled back' : action === 'stop' ? 'stopped' : 'held'}: ${reason}`);
      }
      return;
    }
    switch (action) {
      case 'hold':
        if (!occupies) return;
        await this.deps.pipeline.observe({ type: 'block', stage: e.stage, source: eventBlockSource(e.id), reason });
        if (await this.once(e.id, 'hold')) await this.decide(e, 'hold', `blocked ${e.stage}: ${reason}`);
        return;
      case 'stop':
        if (await this.once(e.id, 'stop')) await this.deps.pipeline.observe({ type: 'stop', actor: MONITOR_ACTOR, reason });
        return;
      case 'rollback':
        if (await this.once(e.id, 'rollback')) {
          await this.deps.pipeline.observe({ type: 'judged_bad', buildId: e.buildId, stage: e.stage, actor: MONITOR_ACTOR, reason, evidence: eventEvidence(e) });
        }
        return;
      case 'page': {
        // Why a second trigger: an event paged earlier (an outside incident) and escalated later is news.
        const first = await this.once(e.id, 'page');
        const escalated = e.escalated !== undefined && (await this.once(e.id, 'page-escalated'));
        if (first || escalated) this.page(e, 'trigger', escalated && !first ? 'escalate' : 'trigger');
        return;
      }
      case 'offer_rollback':
        // The event notification carries the offer (action 'offer_rollback'); the button calls PipelineActions.rollback.
        return;
    }
  }

  /** True the first time it is asked for this event and action (persisted across restarts). */
  private async once(eventId: string, action: string): Promise<boolean> {
    return this.deps.store.setKvIfAbsent('monitor-actions', `${eventId}:${action}`, '1');
  }

  private async decide(e: DeployEvent, kind: Decision['kind'], reason: string): Promise<void> {
    await this.deps.store.appendDecision({
      id: `monitor:${e.id}:${kind}`,
      at: e.updatedAt,
      kind,
      actor: MONITOR_ACTOR,
      reason,
      buildId: e.buildId,
      stage: e.stage,
      evidence: eventEvidence(e),
    });
  }

  private page(e: DeployEvent, action: 'trigger' | 'resolve', keyed: string = action): void {
    this.deps.notify({
      type: 'page',
      key: `page:${e.id}:${keyed}`,
      action,
      dedupKey: e.id,
      summary: `${e.severity} (${e.confidence} confidence) on ${e.stage} for build ${e.buildId}: ${withEscalation(e)}`.slice(0, 1000),
      severity: PAGE_SEVERITY[e.severity],
      at: e.updatedAt,
    });
  }

  private emit(e: DeployEvent, wouldDo: string | undefined): void {
    const n: Notification = { type: 'event', key: `event:${e.id}:r${e.revision ?? 0}`, event: e, shadow: this.deps.config.policy.shadow };
    if (wouldDo !== undefined) n.wouldDo = wouldDo;
    this.deps.notify(n);
  }
}
