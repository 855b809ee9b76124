import type { DeployEvent, Severity } from '../domain/events.js';
import type { Decision, DeployStep } from '../domain/pipeline.js';
import { actorName } from './status-strip.js';

/** The last day at a glance: deploys per stage, events, rollbacks, holds. */
export interface TimelineView {
  from: number;
  to: number;
  /** Stage names in pipeline order: one row each. */
  stages: string[];
  /** Deploy and rollback steps that overlap the window, clipped to it. */
  steps: Array<{ stage: string; buildId: string; kind: DeployStep['kind']; start: number; end: number; running: boolean; outcome: string }>;
  /** Events opened in (or still open during) the window. */
  events: Array<{ id: string; stage: string; buildId: string; severity: Severity; start: number; end: number; open: boolean }>;
  /** Rollbacks, holds, stops and resumes. */
  marks: Array<{ kind: 'rollback' | 'hold' | 'stop' | 'resume'; at: number; buildId?: string; by: string; reason: string }>;
}

const MARK_KINDS = new Set(['rollback', 'hold', 'stop', 'resume']);

/** Shortest span drawn, so a young pipeline's first minutes are not one pixel wide. */
const MIN_SPAN_MS = 3600_000;

/**
 * Builds the timeline over `[now - spanMs, now]`, or from shortly before the oldest thing in it when the
 * pipeline's history is shorter than that (a new install or the demo). Pure.
 */
export function timelineView(input: { now: number; spanMs: number; stages: string[]; steps: DeployStep[]; events: DeployEvent[]; decisions: Decision[] }): TimelineView {
  const { now, spanMs, stages } = input;
  const starts = [...input.steps.map((s) => s.startedAt), ...input.events.map((e) => e.openedAt)].filter((t) => t >= now - spanMs);
  const oldest = starts.length ? Math.min(...starts) : now;
  const from = Math.max(now - spanMs, Math.min(now - MIN_SPAN_MS, oldest - (now - oldest) * 0.05));
  const clip = (t: number) => Math.min(now, Math.max(from, t));
  const steps = input.steps
    .filter((s) => (s.endedAt ?? now) >= from && s.startedAt <= now)
    .map((s) => ({ stage: s.stage, buildId: s.buildId, kind: s.kind, start: clip(s.startedAt), end: clip(s.endedAt ?? now), running: s.endedAt === undefined, outcome: s.outcome ?? 'in progress' }));
  const events = input.events
    .filter((e) => (e.closedAt ?? now) >= from && e.openedAt <= now)
    .map((e) => ({ id: e.id, stage: e.stage, buildId: e.buildId, severity: e.severity, start: clip(e.openedAt), end: clip(e.closedAt ?? now), open: e.status === 'open' }));
  const marks = input.decisions
    .filter((d) => MARK_KINDS.has(d.kind) && d.at >= from && d.at <= now)
    .map((d) => ({ kind: d.kind as TimelineView['marks'][number]['kind'], at: d.at, ...(d.buildId ? { buildId: d.buildId } : {}), by: actorName(d.actor), reason: d.reason }));
  return { from, to: now, stages, steps, events, marks };
}
