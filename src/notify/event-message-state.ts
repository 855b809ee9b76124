import type { DeployEvent } from '../domain/events.js';
import type { Actor, Decision } from '../domain/pipeline.js';
import type { BuildState, PipelineState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';

/**
 * What the pipeline did about an event's build, read when its Slack message is (re)rendered, so the
 * message tells the truth however the action was taken (Slack button, web UI, API, the bot itself).
 */
export interface EventMessageContext {
  /** The event's build in the orchestrator, when the pipeline still knows it. */
  buildStatus?: BuildState['status'];
  /** The rollback decision that covers the event's build (its own, or an older build's that tainted it). */
  rollback?: { by: Actor; at: number; reason: string; buildId: string };
  /** The pipeline-wide hold or stop in force, if any. */
  hold: { kind: 'hold' | 'stop'; by: Actor; reason: string } | null;
}

/** Which of the four event buttons still make sense. */
export interface ButtonSet {
  rollback: boolean;
  pause: boolean;
  resume: boolean;
  acknowledge: boolean;
}

/** A build that is rolled back or tainted must never be offered for rollback again. */
export function isGone(status: BuildState['status'] | undefined): boolean {
  return status === 'rolled_back' || status === 'tainted';
}

/**
 * The buttons an event message shows. Closed events show none; without context (old messages,
 * no pipeline state yet) all four, as before. "Pause" is a stop, so it is hidden while stopped,
 * and "Resume" appears only while something holds the pipeline.
 */
export function buttonsFor(e: DeployEvent, ctx: EventMessageContext | undefined): ButtonSet {
  if (e.status === 'closed') return { rollback: false, pause: false, resume: false, acknowledge: false };
  if (!ctx) return { rollback: true, pause: true, resume: true, acknowledge: !e.acknowledgedBy };
  return {
    rollback: !isGone(ctx.buildStatus) && !ctx.rollback,
    pause: ctx.hold?.kind !== 'stop',
    resume: ctx.hold !== null,
    acknowledge: !e.acknowledgedBy,
  };
}

/** An actor as Slack mrkdwn: Slack user ids become mentions, the bot is named as such. */
export function actorText(a: Actor): string {
  if (a.kind === 'bot') return `releasebot (${a.id})`;
  return /^[UW][A-Z0-9_]{2,}$/.test(a.id) ? `<@${a.id}>` : a.id;
}

/** Context lines under the event: who rolled back, who holds the pipeline. */
export function contextLines(ctx: EventMessageContext | undefined): string[] {
  if (!ctx) return [];
  const lines: string[] = [];
  if (ctx.rollback) lines.push(`:rewind: Build ${ctx.rollback.buildId} rolled back by ${actorText(ctx.rollback.by)}`);
  else if (isGone(ctx.buildStatus)) lines.push(`:no_entry: Build ${ctx.buildStatus === 'tainted' ? 'will not ship (tainted)' : 'rolled back'}`);
  if (ctx.hold) lines.push(`${ctx.hold.kind === 'stop' ? ':octagonal_sign: Pipeline stopped' : ':double_vertical_bar: Promotions held'} by ${actorText(ctx.hold.by)}`);
  return lines;
}

/** The newest rollback decision about `buildId`, or about an older build whose rollback tainted it. */
function rollbackOf(buildId: string, state: PipelineState | undefined, decisions: Decision[]): EventMessageContext['rollback'] {
  const seq = state?.builds[buildId]?.seq;
  const covering = decisions.filter((d) => {
    if (d.kind !== 'rollback' || !d.buildId) return false;
    if (d.buildId === buildId) return true;
    // Rolling back build B also takes back every newer build: B's seq is at most ours.
    const other = d.buildId ? state?.builds[d.buildId]?.seq : undefined;
    return seq !== undefined && other !== undefined && other <= seq;
  });
  const d = covering.sort((a, b) => b.at - a.at)[0];
  return d ? { by: d.actor, at: d.at, reason: d.reason, buildId: d.buildId! } : undefined;
}

/** Reads the context of an event's message from the store (saved pipeline state and decision log). */
export async function loadEventContext(store: Store, e: DeployEvent): Promise<EventMessageContext> {
  const saved = await store.loadState();
  const state = saved?.state as PipelineState | undefined;
  const status = state?.builds[e.buildId]?.status;
  const decisions = isGone(status) ? await store.listDecisions({ limit: 500 }) : [];
  const hold = state?.hold ? { kind: state.hold.kind, by: state.hold.actor, reason: state.hold.reason } : null;
  const ctx: EventMessageContext = { hold };
  if (status) ctx.buildStatus = status;
  const rb = isGone(status) ? rollbackOf(e.buildId, state, decisions) : undefined;
  if (rb) ctx.rollback = rb;
  return ctx;
}
