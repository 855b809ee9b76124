import { eventHeadline } from './event-headline.js';
import type { Notification, Notifier } from './notification.js';
import { isFinalPhase, renderDmStep, renderShadow, SEVERITY_UNICODE, signalLine } from './slack-blocks.js';

/** Slack mrkdwn links `<url|text>` become `text (url)` in a terminal. */
function plain(s: string): string {
  return s
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/:[a-z_]+: ?/g, '')
    .replace(/\*([^*\n]+)\*/g, '$1');
}

/**
 * The same messages as Slack, as readable lines: the demo's terminal view and the log use it
 * when Slack is not configured. Never fails.
 */
export class ConsoleNotifier implements Notifier {
  readonly name = 'console';
  constructor(private readonly write: (line: string) => void) {}

  /** A refresh re-renders a Slack message; the console already printed what changed (the decision). */
  accepts(n: Notification): boolean {
    return !(n.type === 'event' && n.refresh);
  }

  async post(n: Notification): Promise<void> {
    for (const line of renderConsoleLines(n)) this.write(line);
  }
}

/** The lines one notification prints as. Pure. */
export function renderConsoleLines(n: Notification): string[] {
  switch (n.type) {
    case 'event': {
      const e = n.event;
      const state = e.status === 'closed' ? 'resolved' : `${e.severity}, confidence ${e.confidence}`;
      const head = n.shadow
        ? `[shadow] ${plain(renderShadow(e, n.wouldDo).text)}`
        : `${SEVERITY_UNICODE[e.severity]} event ${e.id} build ${e.buildId} at ${e.stage} (${state}): ${eventHeadline(e)}`;
      const action = !n.shadow && e.action && e.action !== 'none' ? [`    bot action: ${e.action}`] : [];
      return [head, ...e.signals.map((s) => `    ${plain(signalLine(s))}`), ...action];
    }
    case 'deploy_progress': {
      const authors = [...new Set(n.build.pullRequests.map((p) => p.authorName))].join(', ');
      const mark = isFinalPhase(n.phase) ? '[deploy:final]' : '[deploy]';
      return [`${mark} ${plain(renderDmStep(n.build, n.phase, n.stage, n.reason))}${authors ? ` (authors: ${authors})` : ''}`];
    }
    case 'team':
      return [`[team] ${n.text}`];
    case 'page':
      return [`[page:${n.action}] ${n.severity} ${n.dedupKey}: ${n.summary}`];
  }
}
