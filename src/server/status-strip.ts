import type { DeployEvent, Severity } from '../domain/events.js';
import { SEVERITY_ORDER } from '../domain/events.js';
import type { Actor, Decision } from '../domain/pipeline.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import { eventHeadline } from '../notify/event-headline.js';
import { stageHealth, type StageHealth } from './stage-health.js';

/** The banner under the header: one sentence that tells the truth about the pipeline. */
export interface Banner {
  tone: 'ok' | 'warn' | 'bad';
  text: string;
  href?: string;
}

/** The strip at the top of every page. */
export interface StatusStrip {
  now: number;
  openEvents: {
    total: number;
    bySeverity: Record<Severity, number>;
    items: Array<{ id: string; severity: Severity; stage: string; buildId: string; headline: string; action?: string }>;
  };
  hold: { kind: 'hold' | 'stop'; by: string; reason: string; at: number } | null;
  /** Rollback decisions in the last hour (pipeline clock), newest first. */
  rollbacksLastHour: Array<{ buildId: string; by: string; at: number; reason: string }>;
  /** Builds an open event blames (with medium or high confidence): the ones whose rollback button should stand out. */
  suspects: string[];
  banner: Banner;
}

/** "alice" for a person, "the bot (monitor)" for the bot. */
export function actorName(a: Actor): string {
  return a.kind === 'bot' ? `the bot (${a.id})` : a.id;
}

const HOUR = 3600_000;

/** The banner, most urgent first: a stop, a rollback in progress, blocked stages, a hold, a failure, signals. Pure. */
export function banner(state: PipelineState, healths: StageHealth[], recent: StatusStrip['rollbacksLastHour'] = [], openEvents: DeployEvent[] = []): Banner {
  const named = healths.map((h, i) => ({ h, stage: state.slots[i]?.stage ?? '?' }));
  const hold = state.hold;
  if (hold?.kind === 'stop') return { tone: 'bad', text: `Stopped by ${actorName(hold.actor)}: ${hold.reason}` };
  const rolling = named.filter((n) => n.h.state === 'rolling_back');
  if (rolling.length) return { tone: 'bad', text: `Rolling back: ${rolling.map((n) => n.stage).join(', ')}` };
  const blocked = named.filter((n) => n.h.state === 'blocked');
  if (blocked.length) {
    const first = blocked[0];
    const what = first.h.blockers[0]?.kind === 'event' ? `${first.h.severity ? `a ${first.h.severity}` : 'an'} event` : first.h.label.replace(/^Blocked:? ?(by )?/, '') || 'a block';
    const more = blocked.length > 1 ? ` (and ${blocked.length - 1} more stage${blocked.length > 2 ? 's' : ''})` : '';
    return { tone: 'bad', text: `Blocked: ${first.stage} waits on ${what}${more}`, ...(first.h.href ? { href: first.h.href } : {}) };
  }
  if (hold) return { tone: 'warn', text: `Held by ${actorName(hold.actor)}: ${hold.reason}` };
  const failed = named.find((n) => n.h.state === 'failed');
  if (failed) return { tone: 'bad', text: `Deploy failed in ${failed.stage}: ${failed.h.detail ?? ''}`.trim() };
  const rb = recent[0];
  if (rb) {
    const ev = openEvents.find((e) => e.buildId === rb.buildId);
    const tail = ev ? `; its ${ev.severity} event is still open` : '';
    return { tone: 'warn', text: `Rolled back ${rb.buildId} by ${rb.by}${tail}. The pipeline goes on with the next build.`, href: `/builds/${encodeURIComponent(rb.buildId)}` };
  }
  const signal = named.find((n) => n.h.state === 'signal');
  if (signal) return { tone: 'warn', text: `Watching a ${signal.h.severity ?? ''} event in ${signal.stage}; nothing is blocked`.replace('a  event', 'an event'), ...(signal.h.href ? { href: signal.h.href } : {}) };
  return { tone: 'ok', text: 'Pipeline running: builds move on when their bake time has passed and nothing blocks them.' };
}

/** The status strip from what the store and the pipeline know. Pure. */
export function statusStrip(input: { now: number; state: PipelineState; openEvents: DeployEvent[]; decisions: Decision[] }): StatusStrip {
  const { now, state, openEvents, decisions } = input;
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const e of openEvents) bySeverity[e.severity]++;
  const healths = state.slots.map((s) => stageHealth(s, openEvents, state.hold, state.gateRequired === true));
  const rollbacks = decisions
    .filter((d) => d.kind === 'rollback' && d.at >= now - HOUR && d.at <= now)
    .sort((a, b) => b.at - a.at)
    .map((d) => ({ buildId: d.buildId ?? '?', by: actorName(d.actor), at: d.at, reason: d.reason }));
  const gone = (id: string) => ['rolled_back', 'tainted'].includes(state.builds[id]?.status ?? '');
  const hold = state.hold;
  return {
    now,
    openEvents: {
      total: openEvents.length,
      bySeverity,
      items: [...openEvents]
        .sort((a, b) => SEVERITY_ORDER.indexOf(b.severity) - SEVERITY_ORDER.indexOf(a.severity) || b.updatedAt - a.updatedAt)
        .map((e) => ({ id: e.id, severity: e.severity, stage: e.stage, buildId: e.buildId, headline: eventHeadline(e), ...(e.action ? { action: e.action } : {}) })),
    },
    hold: hold ? { kind: hold.kind, by: actorName(hold.actor), reason: hold.reason, at: hold.at } : null,
    rollbacksLastHour: rollbacks,
    // A low-confidence event says "probably not the deploy": its build is not singled out.
    suspects: [...new Set(openEvents.filter((e) => e.confidence !== 'low').map((e) => e.buildId))].filter((id) => !gone(id)),
    banner: banner(state, healths, rollbacks, openEvents),
  };
}

/** Reads what the strip needs from the store. */
export async function loadStatusStrip(state: PipelineState, now: number, store: Store): Promise<StatusStrip> {
  const [openEvents, decisions] = await Promise.all([store.listEvents({ status: 'open', limit: 200 }), store.listDecisions({ limit: 300 })]);
  return statusStrip({ now, state, openEvents, decisions });
}
