import type { Build, PullRequest } from '../domain/build.js';
import type { DeployEvent, Severity, Signal } from '../domain/events.js';
import type { Verdict } from '../detect/verdict.js';
import { escalationText, eventHeadline } from './event-headline.js';
import { buttonsFor, contextLines, type EventMessageContext } from './event-message-state.js';

/** A Block Kit block; kept loose on purpose (Slack validates the shape, we test what we send). */
export type Block = { type: string; [key: string]: unknown };

/** A rendered Slack message: `text` is the notification / fallback line, `blocks` the layout. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack emoji per severity: white, blue and red circles, then siren and fire for the tiers that carry confidence. */
export const SEVERITY_EMOJI: Record<Severity, string> = {
  white: ':white_circle:',
  blue: ':large_blue_circle:',
  red: ':red_circle:',
  siren: ':rotating_light:',
  fire: ':fire:',
};

/** The same marks as Unicode, for terminals and logs. */
export const SEVERITY_UNICODE: Record<Severity, string> = { white: '⚪', blue: '🔵', red: '🔴', siren: '🚨', fire: '🔥' };

/** `action_id`s of the event message buttons; the interactivity endpoint switches on these. */
export const ACTION_IDS = {
  rollback: 'releasebot_rollback',
  pause: 'releasebot_pause',
  resume: 'releasebot_resume',
  acknowledge: 'releasebot_ack',
} as const;
export type SlackActionKind = keyof typeof ACTION_IDS;

/** What every button's `value` carries (JSON): the event and the build it is about. */
export interface ActionValue {
  eventId: string;
  buildId: string;
}

/** Maps an `action_id` back to its kind; undefined for buttons that are not ours. */
export function actionKindOf(actionId: string): SlackActionKind | undefined {
  return (Object.keys(ACTION_IDS) as SlackActionKind[]).find((k) => ACTION_IDS[k] === actionId);
}

/** Parses a button value; undefined when it is not one of ours. */
export function parseActionValue(value: string | undefined): ActionValue | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as Partial<ActionValue>;
    if (typeof v.eventId === 'string' && typeof v.buildId === 'string') return { eventId: v.eventId, buildId: v.buildId };
  } catch {
    // Not JSON: not a value we rendered.
  }
  return undefined;
}

/** Status circle: green once closed, red when the bot stopped or rolled back, yellow while it only watches or holds. */
export function statusCircle(event: DeployEvent): string {
  if (event.status === 'closed') return ':large_green_circle:';
  const stopping = event.action === 'stop' || event.action === 'rollback' || event.action === 'offer_rollback' || event.action === 'page';
  return stopping ? ':red_circle:' : ':large_yellow_circle:';
}

/**
 * A stable identity for a signal: its check and series, nothing else. The monitor refreshes `at`
 * (and the numbers) every tick, so anything time- or value-based here would thread the same
 * series again on every revision of the event.
 */
export function signalKey(s: Signal): string {
  const labels = Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${s.labels[k]}`)
    .join(',');
  return `${s.check}{${labels}}`;
}

function num(x: number | undefined): string | undefined {
  if (x === undefined || !Number.isFinite(x)) return undefined;
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : String(Number(x.toFixed(3)));
}

/** The numbers behind a breach: "value 5.2, mean 1.1, std 0.3, z 13.7, threshold 3 (zscore)". */
export function verdictNumbers(v: Verdict): string {
  const parts = (['value', 'mean', 'std', 'z', 'threshold'] as const)
    .map((k) => (num(v[k]) === undefined ? undefined : `${k} ${num(v[k])}`))
    .filter((p): p is string => p !== undefined);
  return `${parts.join(', ')}${parts.length ? ' ' : ''}(${v.rule})`;
}

function labelText(labels: Signal['labels']): string {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${labels[k]}"`).join(', ')}}` : '';
}

/** One signal as an mrkdwn line: check, series, scope, numbers, links. */
export function signalLine(s: Signal): string {
  const links = [s.links?.graph ? `<${s.links.graph}|graph>` : undefined, s.links?.logs ? `<${s.links.logs}|logs>` : undefined]
    .filter(Boolean)
    .join(' · ');
  const scope = s.inScope ? 'in deploy scope' : 'outside deploy scope';
  return `• *${s.check}*${labelText(s.labels)} (${scope}): ${verdictNumbers(s.verdict)}${links ? ` — ${links}` : ''}`;
}

function scopeText(e: DeployEvent): string {
  const inScope = e.signals.filter((s) => s.inScope).length;
  return `${e.environment}; ${inScope}/${e.signals.length} signals in the deploy's scope`;
}

function headline(e: DeployEvent): string {
  const state = e.status === 'closed' ? 'resolved' : `${e.severity} event`;
  return `${statusCircle(e)} ${SEVERITY_EMOJI[e.severity]} Build ${e.buildId} at ${e.stage}: ${state} (confidence ${e.confidence})`;
}

/**
 * A Block Kit confirmation dialog: Slack asks before it sends the click (as the web UI does).
 * Every part is plain text (Slack's current reference allows nothing else), within Slack's limits.
 */
function confirmDialog(title: string, text: string, yes: string): Record<string, unknown> {
  const cut = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
  // No `type` field: a confirmation dialog is a composition object, not a block.
  return {
    title: { type: 'plain_text', text: cut(title, 100) },
    text: { type: 'plain_text', text: cut(text, 300) },
    confirm: { type: 'plain_text', text: yes },
    deny: { type: 'plain_text', text: 'Cancel' },
    style: 'danger',
  };
}

function button(text: string, kind: SlackActionKind, value: ActionValue, style?: 'primary' | 'danger', confirm?: Record<string, unknown>): Block {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: ACTION_IDS[kind],
    value: JSON.stringify(value),
    ...(style ? { style } : {}),
    ...(confirm ? { confirm } : {}),
  };
}

/**
 * The buttons of an open event that still make sense (see {@link buttonsFor}); undefined when none do.
 * Rolling back and stopping ask for confirmation first.
 */
export function eventButtons(e: DeployEvent, ctx?: EventMessageContext): Block | undefined {
  const v: ActionValue = { eventId: e.id, buildId: e.buildId };
  const show = buttonsFor(e, ctx);
  const elements: Block[] = [];
  if (show.rollback) {
    elements.push(button('Roll back now', 'rollback', v, 'danger', confirmDialog(`Roll back ${e.buildId}?`, `Every stage running build ${e.buildId} (or a newer build) goes back to its last good build, and the pipeline holds.`, 'Roll back')));
  }
  if (show.pause) elements.push(button('Pause pipeline', 'pause', v, undefined, confirmDialog('Stop deploys?', 'No new deploy step starts until someone presses Resume.', 'Stop deploys')));
  if (show.resume) elements.push(button('Resume', 'resume', v, 'primary'));
  if (show.acknowledge) elements.push(button('Acknowledge', 'acknowledge', v));
  return elements.length ? { type: 'actions', block_id: `releasebot_actions:${e.id}`, elements } : undefined;
}

/** How many signals the parent message lists; the thread carries the rest. */
export const MAX_SIGNAL_LINES = 10;

/** Shared body of an event message: checks, build / stage / scope, numbers and links of each signal. */
function eventBody(e: DeployEvent, ctx?: EventMessageContext): Block[] {
  const checks = [...new Set(e.signals.map((s) => s.check))];
  const lines = e.signals.slice(0, MAX_SIGNAL_LINES).map(signalLine);
  // Slack caps a section's text at 3000 characters; the thread carries the rest.
  if (e.signals.length > MAX_SIGNAL_LINES) lines.push(`…and ${e.signals.length - MAX_SIGNAL_LINES} more in the thread`);
  const fields = [
    `*Checks*\n${checks.join(', ') || '(none)'}`,
    `*Build*\n${e.buildId}`,
    `*Stage*\n${e.stage}`,
    `*Scope*\n${scopeText(e)}`,
  ];
  const blocks: Block[] = [
    // The human headline leads; the detector's own summary stays available, smaller, below the numbers.
    { type: 'section', text: { type: 'mrkdwn', text: `*${headline(e)}*\n${eventHeadline(e)}` } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (lines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } });
  const notes = [
    `detector: ${e.summary}`.slice(0, 1500),
    e.action && e.action !== 'none' ? `bot action: ${e.action.replace('_', ' ')}` : undefined,
    escalationText(e),
    e.acknowledgedBy ? `acknowledged by <@${e.acknowledgedBy}>` : undefined,
    ...contextLines(ctx),
  ];
  const context = notes.filter(Boolean).join(' · ');
  if (context) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  return blocks;
}

/**
 * The deploys-channel message of an event (open: with the buttons that still make sense; closed: the
 * resolved rendering). `ctx` is what the pipeline did since (rollback, hold, stop), by whoever.
 */
export function renderEventMessage(e: DeployEvent, ctx?: EventMessageContext): SlackMessage {
  if (e.status === 'closed') return renderResolved(e, ctx);
  const buttons = eventButtons(e, ctx);
  return { text: `${SEVERITY_UNICODE[e.severity]} Build ${e.buildId} at ${e.stage}: ${e.severity} event — ${eventHeadline(e)}`, blocks: [...eventBody(e, ctx), ...(buttons ? [buttons] : [])] };
}

/** The parent message once the event has closed: no buttons left to click. */
export function renderResolved(e: DeployEvent, ctx?: EventMessageContext): SlackMessage {
  return { text: `✅ Resolved: build ${e.buildId} at ${e.stage} (${e.severity}) — ${eventHeadline(e)}`, blocks: eventBody(e, ctx) };
}

/** A thread reply for a signal the event did not have before. */
export function renderSignalReply(e: DeployEvent, s: Signal): SlackMessage {
  const text = `${SEVERITY_EMOJI[e.severity]} new signal on build ${e.buildId} at ${e.stage}\n${signalLine(s)}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Shadow mode, for the team channel: what the bot would have done, and why, without buttons. */
export function renderShadow(e: DeployEvent, wouldDo: string | undefined): SlackMessage {
  const what = wouldDo ?? (e.action && e.action !== 'none' ? e.action.replace('_', ' ') : 'done nothing');
  const verb = what === 'rollback' ? `rolled back build ${e.buildId}` : `${what} (build ${e.buildId})`;
  const text = `:ghost: Shadow mode: would have ${verb} because ${e.summary}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...eventBody(e)] };
}

/** Who a PR author is for DMs: Slack id, else e-mail; authors with neither cannot be messaged. */
export function authorKey(pr: PullRequest): string | undefined {
  return pr.authorSlackId ?? pr.authorEmail;
}

export type DeployPhase = 'started' | 'stage_done' | 'reached_production' | 'rolled_back' | 'tainted';

/**
 * The parent DM to one author, worded for where the build stands when the thread opens: a build
 * that was stopped or rolled back before the author's first step is never said to be "going out".
 */
export function renderDmParent(build: Build, prs: PullRequest[], stage: string, phase: DeployPhase = 'started'): string {
  const list = prs.map((p) => `• <${p.url}|#${p.number} ${p.title}>`).join('\n');
  const your = `Your change${prs.length > 1 ? 's' : ''}`;
  switch (phase) {
    case 'started':
    case 'stage_done':
      return `:rocket: ${your} ${prs.length > 1 ? 'are' : 'is'} going out in build ${build.id} (now: ${stage}).\n${list}\nI'll post every step in this thread.`;
    case 'reached_production':
      return `:tada: ${your} in build ${build.id} reached production.\n${list}`;
    case 'rolled_back':
      return `:rewind: Build ${build.id}, which carries ${your.toLowerCase()}, was rolled back at ${stage}.\n${list}`;
    case 'tainted':
      return `:no_entry: Build ${build.id}, which carries ${your.toLowerCase()}, was stopped at ${stage} and will not ship.\n${list}\nA newer build will carry ${prs.length > 1 ? 'them' : 'it'} if ${prs.length > 1 ? 'they are' : 'it is'} not reverted.`;
  }
}

/** A step line in the DM thread; the final phases say how it ended and why. */
export function renderDmStep(build: Build, phase: DeployPhase, stage: string, reason?: string): string {
  const why = reason ? `: ${reason}` : '';
  switch (phase) {
    case 'started':
      return `:arrow_forward: Build ${build.id} started deploying to ${stage}${why}`;
    case 'stage_done':
      return `:white_check_mark: Build ${build.id} finished ${stage}${why}`;
    case 'reached_production':
      return `:tada: Build ${build.id} reached 100% of production (${stage}). Done${why}.`;
    case 'rolled_back':
      return `:rewind: Build ${build.id} was rolled back at ${stage}${why || ' (no reason given)'}`;
    case 'tainted':
      return `:no_entry: Build ${build.id} was stopped and will not ship (at ${stage})${why || ' (no reason given)'}`;
  }
}

/** True for the phases after which no further step of this build will be posted. */
export function isFinalPhase(phase: DeployPhase): boolean {
  return phase === 'reached_production' || phase === 'rolled_back' || phase === 'tainted';
}
