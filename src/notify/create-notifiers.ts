import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { Notifier } from './notification.js';
import { ConsoleNotifier } from './console.js';
import { PagerDutyNotifier } from './pagerduty.js';
import { createSlackClient, SlackNotifier } from './slack.js';

export interface NotifierDeps {
  store: Store;
  /** Where the console notifier writes (the demo's terminal view or the log). Default: stdout. */
  write?: (line: string) => void;
  /** A prebuilt Slack client (tests, or to share it with the interactivity endpoint). Default: built from config. */
  slackClient?: WebClient;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** Wall clock for the Slack notifier's lookup cache. */
  clock?: Clock;
}

/**
 * The notifiers the configuration asks for: Slack when `notify.slack` is set, PagerDuty when
 * `notify.pagerduty` is set, and the console when `notify.console` is true or nothing else is
 * configured (so messages are never silently dropped).
 */
export function createNotifiers(notify: Config['notify'], deps: NotifierDeps): Notifier[] {
  const out: Notifier[] = [];
  if (notify.slack) {
    const s = notify.slack;
    out.push(
      new SlackNotifier({
        client: deps.slackClient ?? createSlackClient(s),
        store: deps.store,
        deploysChannel: s.deploysChannel,
        teamChannel: s.teamChannel,
        log: deps.log,
        ...(deps.clock ? { clock: deps.clock } : {}),
      }),
    );
  }
  if (notify.pagerduty) {
    out.push(new PagerDutyNotifier({ routingKey: notify.pagerduty.routingKey, url: notify.pagerduty.url, fetch: deps.fetch }));
  }
  if (notify.console || out.length === 0) {
    out.push(new ConsoleNotifier(deps.write ?? ((line) => process.stdout.write(`${line}\n`))));
  }
  return out;
}
