import type { Notification, Notifier } from './notification.js';
import { classifyHttpStatus, DeliveryError } from './delivery-error.js';

/** PagerDuty's Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyOptions {
  routingKey: string;
  /** Events API v2 URL; configurable for EU accounts, proxies and tests. */
  url?: string;
  /** `payload.source`: what is affected; the bot's name by default. */
  source?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Pages a human through PagerDuty Events API v2: `trigger` and `resolve` with one dedup key per event,
 * so re-sending a trigger never opens a second incident. Handles `page` notifications only.
 */
export class PagerDutyNotifier implements Notifier {
  readonly name = 'pagerduty';
  private readonly fetchFn: typeof fetch;
  constructor(private readonly o: PagerDutyOptions) {
    this.fetchFn = o.fetch ?? fetch;
  }

  accepts(n: Notification): boolean {
    return n.type === 'page';
  }

  async post(n: Notification): Promise<void> {
    if (n.type !== 'page') return;
    const body =
      n.action === 'trigger'
        ? {
            routing_key: this.o.routingKey,
            event_action: 'trigger',
            dedup_key: n.dedupKey,
            // PagerDuty caps the summary at 1024 characters.
            payload: { summary: n.summary.slice(0, 1024), source: this.o.source ?? 'releasebot', severity: n.severity, timestamp: new Date(n.at).toISOString() },
          }
        : { routing_key: this.o.routingKey, event_action: 'resolve', dedup_key: n.dedupKey };
    let res: Response;
    try {
      res = await this.fetchFn(this.o.url ?? PAGERDUTY_EVENTS_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new DeliveryError({ kind: 'transient', message: `pagerduty: ${(err as Error).message}` });
    }
    if (res.status >= 200 && res.status < 300) return;
    const text = (await res.text().catch(() => '')).slice(0, 300);
    throw new DeliveryError(classifyHttpStatus(res.status, res.headers.get('retry-after'), `pagerduty: HTTP ${res.status} ${text}`));
  }
}
