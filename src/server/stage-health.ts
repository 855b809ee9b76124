import type { DeployEvent, Severity } from '../domain/events.js';
import type { HoldState, SlotState } from '../pipeline/state.js';
import { eventHeadline } from '../notify/event-headline.js';

/** A stage's health as the board shows it: text, icon and colour all follow `state`. */
export type HealthState = 'idle' | 'deploying' | 'healthy' | 'watching' | 'signal' | 'blocked' | 'rolling_back' | 'failed' | 'held';

/** What blocks a stage: an event, missing data, a person, or something else the pipeline recorded. */
export interface Blocker {
  kind: 'event' | 'no_data' | 'person' | 'other';
  /** The pipeline's block source (`monitor:event:<id>`, `monitor:nodata:<check>`, ...). */
  source: string;
  reason: string;
  eventId?: string;
  severity?: Severity;
  /** Where to look: the event page, or nothing. */
  href?: string;
}

export interface StageHealth {
  state: HealthState;
  /** Short words for the lane ("Blocked by a blue event"). */
  label: string;
  /** One more sentence: the event's headline, the failure, who holds. */
  detail?: string;
  blockers: Blocker[];
  /** The open event about this stage's build, if any (blocking or not). */
  eventId?: string;
  severity?: Severity;
  href?: string;
}

const EVENT_PREFIX = 'monitor:event:';
const NODATA_PREFIX = 'monitor:nodata:';

/** Classifies one block source. Pure. */
export function blockerOf(source: string, reason: string, events: ReadonlyMap<string, DeployEvent>): Blocker {
  if (source.startsWith(EVENT_PREFIX)) {
    const id = source.slice(EVENT_PREFIX.length);
    const e = events.get(id);
    return { kind: 'event', source, reason: e ? eventHeadline(e) : reason, eventId: id, href: `/events/${encodeURIComponent(id)}`, ...(e ? { severity: e.severity } : {}) };
  }
  if (source.startsWith(NODATA_PREFIX)) return { kind: 'no_data', source, reason: `no data for ${source.slice(NODATA_PREFIX.length)}: ${reason}` };
  if (source.startsWith('person:') || source.startsWith('user:')) return { kind: 'person', source, reason };
  return { kind: 'other', source, reason };
}

function holdWords(hold: HoldState): string {
  const who = hold.actor.kind === 'bot' ? `the bot (${hold.actor.id})` : hold.actor.id;
  return `${hold.kind === 'stop' ? 'Stopped' : 'Held'} by ${who}: ${hold.reason}`;
}

function blockedLabel(b: Blocker): string {
  switch (b.kind) {
    case 'event':
      return b.severity ? `Blocked by a ${b.severity} event` : 'Blocked by an event';
    case 'no_data':
      return 'Blocked: no data';
    case 'person':
      return 'Blocked by a person';
    case 'other':
      return 'Blocked';
  }
}

/**
 * The health of one stage. Pure. Order matters: what needs a person most comes first (rolling back,
 * failed, blocked), then signals that do not block yet, then a pipeline-wide hold, then the quiet states.
 * "No data" is a blocker, never healthy.
 */
export function stageHealth(slot: SlotState, openEvents: readonly DeployEvent[], hold: HoldState | null, gateRequired = false): StageHealth {
  const byId = new Map(openEvents.map((e) => [e.id, e]));
  const blockers = Object.entries(slot.blocks).map(([src, why]) => blockerOf(src, why, byId));
  const ev = openEvents
    .filter((e) => e.stage === slot.stage && e.buildId === slot.buildId)
    .sort((a, b) => b.updatedAt - a.updatedAt)[0];
  const evFields = ev ? { eventId: ev.id, severity: ev.severity, href: `/events/${encodeURIComponent(ev.id)}` } : {};
  const base = { blockers, ...evFields };
  if (slot.phase === 'rolling_back') return { ...base, state: 'rolling_back', label: 'Rolling back', detail: `to ${slot.lastGoodBuildId ?? 'the last good build'}` };
  if (slot.phase === 'failed') return { ...base, state: 'failed', label: 'Deploy failed', detail: slot.failed?.error ?? 'the deploy step failed' };
  if (!slot.buildId) return { ...base, state: 'idle', label: 'Empty' };
  if (blockers.length) {
    const first = blockers.find((b) => b.kind === 'event') ?? blockers[0];
    return { ...base, state: 'blocked', label: blockedLabel(first), detail: first.reason, ...(first.href ? { href: first.href } : {}) };
  }
  if (ev) return { ...base, state: 'signal', label: `Signal: ${ev.severity} event`, detail: eventHeadline(ev) };
  const gate = slot.gate && slot.gate.buildId === slot.buildId ? slot.gate : undefined;
  if (slot.phase === 'ready' && gate && gate.verdict !== 'pass') {
    return { ...base, state: 'blocked', label: gate.verdict === 'inconclusive' ? 'Blocked: the gate cannot see enough data' : 'Blocked: the gate found a breach', detail: gate.reason };
  }
  if (hold && slot.phase !== 'deploying') return { ...base, state: 'held', label: hold.kind === 'stop' ? 'Stopped' : 'Held', detail: holdWords(hold) };
  switch (slot.phase) {
    case 'deploying':
      return { ...base, state: 'deploying', label: 'Deploying' };
    case 'baking':
      return { ...base, state: 'watching', label: 'Watching: baking, no signal' };
    default:
      // Baked, nothing blocking; with a gate required it still waits for a verdict evaluated after the bake.
      if (gateRequired && !gate) return { ...base, state: 'watching', label: 'Baked: waiting for the promotion gate' };
      return { ...base, state: 'healthy', label: 'Healthy' };
  }
}
