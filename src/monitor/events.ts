import type { DeployEvent, Signal } from '../domain/events.js';
import { assessSignals, isAnomalyRule, severityRank } from './assess.js';

/**
 * Grouping of signals into events (pure). One event per deploy (build + stage) at a time:
 * a signal joins the deploy's open event; the event closes after `quietPeriodMs` without
 * signals. Severity counts the checks breaching within `groupingWindowMs` of each other and
 * only ever rises while the event is open.
 */
export interface EventTiming {
  groupingWindowMs: number;
  quietPeriodMs: number;
  /** z threshold assumed for magnitude when a verdict does not carry one. */
  defaultZThreshold?: number;
}

/** The deploy an event belongs to. */
export interface EventDeploy {
  buildId: string;
  stage: string;
  environment: string;
  deployAt?: number;
}

/** Most signals an event keeps (one per series and rule, the newest); beyond it the stalest go. */
export const MAX_EVENT_SIGNALS = 200;

/** Identity of a signal within an event: check, rule kind and series labels. */
export function signalKey(s: Signal): string {
  const labels = Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${s.labels[k]}`)
    .join(',');
  return `${s.check}|${s.verdict.rule}|${s.inScope ? 'in' : 'out'}|${labels}`;
}

function mergeSignals(existing: readonly Signal[], incoming: readonly Signal[]): { signals: Signal[]; added: boolean } {
  const byKey = new Map(existing.map((s) => [signalKey(s), s]));
  let added = false;
  for (const s of incoming) {
    const key = signalKey(s);
    const prev = byKey.get(key);
    if (!prev) added = true;
    const merged: Signal = { ...s, firstAt: prev ? (prev.firstAt ?? prev.at) : (s.firstAt ?? s.at) };
    // What the series did before the deploy does not change; later ticks may no longer hold those points.
    const clearBefore = s.clearBefore ?? prev?.clearBefore;
    if (clearBefore !== undefined) merged.clearBefore = clearBefore;
    byKey.set(key, merged);
  }
  let signals = [...byKey.values()];
  if (signals.length > MAX_EVENT_SIGNALS) signals = signals.sort((a, b) => b.at - a.at).slice(0, MAX_EVENT_SIGNALS);
  return { signals, added };
}

/**
 * The time of the newest signal that keeps the event open: for an anomaly event (blue and up) only
 * anomaly signals count, so a standing threshold breach (a level crossed all day) does not hold it open.
 */
export function lastSignalAt(e: DeployEvent): number {
  const counted = e.severity === 'white' ? e.signals : e.signals.filter((s) => isAnomalyRule(s.verdict.rule));
  return counted.reduce((m, s) => Math.max(m, s.at), e.openedAt);
}

/**
 * Adds one tick's in-scope signals of a deploy to its open event, or opens a new event with
 * id `newId`. `revised` is true when something people should hear about changed: a new event,
 * a newly breaching series, or a new severity or confidence (the revision number then rises).
 * Returns undefined when there are no signals and no open event.
 */
export function addSignals(
  open: DeployEvent | undefined,
  deploy: EventDeploy,
  signals: readonly Signal[],
  now: number,
  timing: EventTiming,
  newId: string,
): { event: DeployEvent; revised: boolean } | undefined {
  if (signals.length === 0) return open ? { event: open, revised: false } : undefined;
  const base: DeployEvent = open ?? {
    id: newId,
    buildId: deploy.buildId,
    stage: deploy.stage,
    environment: deploy.environment,
    status: 'open',
    severity: 'white',
    confidence: 'medium',
    openedAt: now,
    updatedAt: now,
    signals: [],
    summary: '',
    action: 'none',
    revision: 0,
    ...(deploy.deployAt !== undefined ? { deployAt: deploy.deployAt } : {}),
  };
  const { signals: merged, added } = mergeSignals(base.signals, signals);
  const a = assessSignals(merged, timing.groupingWindowMs, timing.defaultZThreshold, deploy.deployAt ?? base.deployAt);
  const next: DeployEvent = { ...base, signals: merged, updatedAt: now };
  let revised = open === undefined || added;
  if (a) {
    next.currentConfidence = a.confidence;
    const rises = open === undefined || severityRank(a.severity) > severityRank(base.severity);
    // Why: severity only rises while an event is open (actions taken are not undone). At the same
    // severity a move to or from low confidence stands (an incident that spreads is seen as such);
    // high <-> medium flicker from tick to tick is not news and would make every tick a message.
    const lowChange = a.confidence !== base.confidence && (a.confidence === 'low' || base.confidence === 'low');
    if (rises || (a.severity === base.severity && lowChange)) {
      next.severity = a.severity;
      next.confidence = a.confidence;
      next.summary = a.summary;
      next.large = a.large;
      revised = true;
    } else if (!next.summary) {
      next.summary = a.summary;
    }
  }
  if (revised) next.revision = (base.revision ?? 0) + 1;
  return { event: next, revised };
}

/** Closes an open event once `quietPeriodMs` has passed since its newest signal; else undefined. */
export function closeIfQuiet(event: DeployEvent, now: number, timing: EventTiming): DeployEvent | undefined {
  if (event.status !== 'open') return undefined;
  if (now - lastSignalAt(event) < timing.quietPeriodMs) return undefined;
  return { ...event, status: 'closed', closedAt: now, updatedAt: now, revision: (event.revision ?? 0) + 1 };
}

/** Marks an event with the action taken (or, in shadow mode, that would have been); bumps the revision on change. */
export function withAction(event: DeployEvent, action: NonNullable<DeployEvent['action']>): DeployEvent {
  if (event.action === action) return event;
  return { ...event, action, revision: (event.revision ?? 0) + 1 };
}
