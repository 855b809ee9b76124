import type { PolicyConfig } from '../config/schema.js';
import type { Confidence, DeployEvent, Severity, Signal } from '../domain/events.js';
import { isAnomalyRule, severityRank } from './assess.js';

/**
 * What the bot does about an event or about missing data (pure). The rules are in
 * docs/detection.md, "Events, severity and confidence".
 */

/** One thing the bot may do. `hold` blocks the deploy's stage from promoting while the event is open. */
export type MonitorAction = 'hold' | 'stop' | 'rollback' | 'offer_rollback' | 'page';

export interface PolicyOutcome {
  /** Actions for this event, in the order they are carried out. */
  actions: MonitorAction[];
  /** The one action the event shows (the strongest). */
  primary: NonNullable<DeployEvent['action']>;
  /** True when nothing is carried out (shadow mode): messages say what would have happened. */
  shadow: boolean;
  /** "stopped the pipeline and offered a rollback", or in shadow mode "would have stopped ...". */
  text: string;
  /** Set when a long hold past the bake escalated the event (`policy.escalateAfter`): what it added. */
  escalated?: 'rollback' | 'offer_rollback';
  /** With an escalated rollback: the deploy's own breach it was taken on, "check: reason". */
  evidence?: string;
}

const PRIMARY_ORDER: MonitorAction[] = ['rollback', 'offer_rollback', 'stop', 'page', 'hold'];

/** Past participles, so that shadow mode can say "would have ..." with the same words. */
const VERBS: Record<MonitorAction, string> = {
  rollback: 'rolled back the build',
  stop: 'stopped the pipeline',
  offer_rollback: 'offered a rollback',
  hold: 'held the stage',
  page: 'paged the team',
};

/**
 * Maps an open event's severity and confidence to actions.
 * - rollback: severity in `policy.rollback` with high confidence, and for blue/red also a large
 *   magnitude (otherwise a rollback is offered);
 * - stop: severity in `policy.stop` with high confidence, unless the build is rolled back anyway
 *   (medium confidence holds, offers the rollback and pages instead);
 * - offer_rollback: severity in `policy.offerRollback`, unless confidence is low or it rolls back;
 * - hold: severity in any of hold/stop/rollback/offerRollback (never promote past an open event);
 * - page: severity in `policy.page`, or low/medium confidence where a stop or rollback was withheld
 *   (an outside incident needs people, not a rollback).
 * - escalation: when the build has been held at its stage past its bake for `policy.escalateAfter`
 *   (`held`: a block or gate breaches), an open event that is not low confidence rolls back when its
 *   newest signals are high confidence (`currentConfidence`) with recent, lasting evidence of the
 *   deploy's own making (`deploysOwnBreach`),
 *   else it offers the rollback and pages: a hold that does not clear needs a decision, not more waiting.
 * Closed events get no actions.
 */
export function decideEventActions(
  event: Pick<DeployEvent, 'severity' | 'confidence' | 'status' | 'large' | 'currentConfidence'> & { signals?: readonly Signal[] },
  policy: PolicyConfig,
  held?: Held,
): PolicyOutcome {
  const sev: Severity = event.severity;
  const low = event.confidence === ('low' satisfies Confidence);
  const acts = new Set<MonitorAction>();
  if (event.status === 'open') {
    const rollback = policy.rollback.includes(sev);
    const stop = policy.stop.includes(sev);
    const offer = policy.offerRollback.includes(sev);
    // Why: the bot rolls back on its own only when it is sure the deploy did it (siren and fire
    // always are); a severity below siren in policy.rollback needs high confidence and a large
    // magnitude, otherwise people get the rollback button instead.
    const auto = rollback && event.confidence === 'high' && (severityRank(sev) >= severityRank('siren') || event.large === true);
    if (auto) acts.add('rollback');
    // Why: medium confidence (a small or mixed reference group, typically prod-50/100 during an
    // outside incident) holds the stage, offers the rollback and pages; stopping the whole
    // pipeline for a person is kept for high confidence, where the deploy is known to be the cause.
    const medium = event.confidence === 'medium';
    if (event.confidence === 'high' && stop && !auto) acts.add('stop');
    if (!low && (offer || rollback) && !auto) acts.add('offer_rollback');
    if (policy.hold.includes(sev) || stop || rollback || offer) acts.add('hold');
    if (policy.page.includes(sev) || ((low || medium) && (rollback || stop || offer) && !auto)) acts.add('page');
  }
  const escalated = escalation(event, policy, held, acts);
  const actions = (['hold', 'stop', 'rollback', 'offer_rollback', 'page'] as MonitorAction[]).filter((a) => acts.has(a));
  const primary = PRIMARY_ORDER.find((a) => acts.has(a)) ?? 'none';
  const out: PolicyOutcome = { actions, primary, shadow: policy.shadow, text: describe(actions, policy.shadow) };
  if (escalated) out.escalated = escalated.action;
  if (escalated?.evidence) out.evidence = `${escalated.evidence.check}: ${escalated.evidence.verdict.reason}`;
  return out;
}

/**
 * Adds the escalation's actions to `acts` and says which, or undefined when there is none (a short
 * hold, a closed or low-confidence event, the build already rolled back by the policy).
 */
function escalation(
  event: Pick<DeployEvent, 'confidence' | 'status' | 'currentConfidence'> & { signals?: readonly Signal[] },
  policy: PolicyConfig,
  held: Held | undefined,
  acts: Set<MonitorAction>,
): { action: NonNullable<PolicyOutcome['escalated']>; evidence?: Signal } | undefined {
  const after = policy.escalateAfter * 1000;
  if (event.status !== 'open' || after <= 0 || held === undefined || held.heldForMs < after) return undefined;
  // Why the newest signals' confidence: the label people saw is kept at equal severity (no flicker),
  // so an event that opened at medium while the reference group moved stays "medium" after the group
  // has gone quiet; a decision taken ten minutes on judges what the signals say now. Low either way
  // (an outside incident, then or now) never escalates.
  const now = event.currentConfidence ?? event.confidence;
  if (event.confidence === 'low' || now === 'low' || acts.has('rollback')) return undefined;
  acts.add('hold');
  const own = now === 'high' ? ownBreach(event.signals ?? [], held.now) : undefined;
  if (own) {
    acts.add('rollback');
    acts.delete('offer_rollback');
    acts.delete('stop');
    return { action: 'rollback', evidence: own };
  }
  acts.add('offer_rollback');
  acts.add('page');
  return { action: 'offer_rollback' };
}

/**
 * Whether the event holds evidence of the deploy's own making that is recent and has lasted: an
 * in-scope series that breached within the last `RECENT_BREACH_MS` and had been breaching (on and
 * off) for `SUSTAINED_BREACH_MS` since its first breach in the event, either an anomaly (the monitor
 * has already dropped those that were there before the deploy, the season or a restart: blame.ts)
 * or a threshold that the series kept just before the deploy. Not a level crossed before the deploy
 * (a quiet cell over its static limit all day), not one blip long ago that keeps the event open.
 */
export function deploysOwnBreach(signals: readonly Signal[], now: number): boolean {
  return ownBreach(signals, now) !== undefined;
}

/** The newest signal that is such evidence (see `deploysOwnBreach`), or undefined. */
function ownBreach(signals: readonly Signal[], now: number): Signal | undefined {
  let best: Signal | undefined;
  for (const s of signals) {
    const own = s.inScope && (isAnomalyRule(s.verdict.rule) || s.clearBefore === true) && now - s.at <= RECENT_BREACH_MS && s.at - (s.firstAt ?? s.at) >= SUSTAINED_BREACH_MS;
    if (own && (best === undefined || s.at > best.at)) best = s;
  }
  return best;
}

/**
 * A rollback by escalation needs a breach this recent. Why not a minute: a modest regression's
 * anomaly breaches come and go (the detector adapts, the shift rule fades), 3 minutes apart in the
 * sim at 1.25x; a breach older than this is left to people (the event then only holds on it).
 */
export const RECENT_BREACH_MS = 5 * 60_000;
/** ...and a series whose breaches span this long (one blip is not a pattern). */
export const SUSTAINED_BREACH_MS = 2 * 60_000;

/** How long the event's build has been held at its stage past its bake (`SlotState.heldSince`), at `now`. */
export interface Held {
  heldForMs: number;
  now: number;
}

function describe(actions: MonitorAction[], shadow: boolean): string {
  if (actions.length === 0) return shadow ? 'would have taken no action' : 'no action';
  const order = PRIMARY_ORDER.filter((a) => actions.includes(a));
  const parts = order.map((a) => VERBS[a]);
  const text = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return shadow ? `would have ${text}` : text;
}

/** What to do about a check without data for a deploy. */
export interface NoDataOutcome {
  /** Block the deploy's stage from promoting (always, while data is missing). */
  block: boolean;
  /** Hold the whole pipeline (after `policy.noDataHold`). */
  hold: boolean;
  reason: string;
}

/**
 * Missing data is not health: while a check has no data for a deploy the stage may not promote;
 * once it has been missing for `policy.noDataHold` the pipeline holds. It never rolls back.
 * In shadow mode the outcome is the same, and the caller only reports it.
 */
export function decideNoData(check: string, missingSince: number, now: number, policy: PolicyConfig, detail?: string): NoDataOutcome {
  const hold = now - missingSince >= policy.noDataHold * 1000;
  const minutes = Math.round((now - missingSince) / 60_000);
  const why = detail ? ` (${detail})` : '';
  return {
    block: true,
    hold,
    reason: hold ? `no data for check ${check} for ${minutes} min${why}` : `no data for check ${check}${why}`,
  };
}
