import { ErrorCode as SlackErrorCode, type SlackError } from '@slack/web-api';
import { ReleasebotError } from '../domain/errors.js';

/** How the outbox should treat a failed delivery. */
export type DeliveryFailure =
  /** Rate limited: wait exactly as long as told. */
  | { kind: 'rate_limited'; retryAfterMs: number; message: string }
  /** Server error, network error, timeout: back off exponentially and retry. */
  | { kind: 'transient'; message: string }
  /** Will never succeed as sent (bad channel, bad token, bad payload): give up after logging. */
  | { kind: 'permanent'; message: string };

/** Thrown by notifiers that talk plain HTTP (PagerDuty) so the outbox can classify the failure. */
export class DeliveryError extends ReleasebotError {
  constructor(readonly failure: DeliveryFailure) {
    super('NOTIFY_FAILED', failure.message, { kind: failure.kind });
    this.name = 'DeliveryError';
  }
}

/** Slack platform errors (HTTP 200, `ok: false`) that are worth retrying. */
const TRANSIENT_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/** Classifies an HTTP status: 429 rate limited, 5xx / 408 transient, other 4xx permanent. */
export function classifyHttpStatus(status: number, retryAfterHeader: string | null | undefined, message: string): DeliveryFailure {
  if (status === 429) return { kind: 'rate_limited', retryAfterMs: parseRetryAfter(retryAfterHeader), message };
  if (status >= 500 || status === 408) return { kind: 'transient', message };
  return { kind: 'permanent', message };
}

/** `Retry-After` in seconds (or an HTTP date is ignored); 1 s when missing or unreadable. */
export function parseRetryAfter(header: string | null | undefined): number {
  const s = Number(header);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 1000;
}

function isSlackError(err: unknown): err is SlackError & Record<string, unknown> {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && String((err as { code: string }).code).startsWith('slack_webapi_');
}

/** Maps anything a notifier threw to a {@link DeliveryFailure}. Unknown errors count as transient. */
export function classifyDeliveryError(err: unknown): DeliveryFailure {
  if (err instanceof DeliveryError) return err.failure;
  const message = err instanceof Error ? err.message : String(err);
  if (isSlackError(err)) {
    switch (err.code) {
      case SlackErrorCode.RateLimitedError:
        return { kind: 'rate_limited', retryAfterMs: Number(err.retryAfter) * 1000, message };
      case SlackErrorCode.HTTPError:
        return classifyHttpStatus(Number(err.statusCode), undefined, message);
      case SlackErrorCode.RequestError:
        return { kind: 'transient', message };
      case SlackErrorCode.PlatformError: {
        const code = String((err.data as { error?: string } | undefined)?.error ?? '');
        return TRANSIENT_SLACK_ERRORS.has(code) ? { kind: 'transient', message } : { kind: 'permanent', message };
      }
      default:
        return { kind: 'permanent', message };
    }
  }
  // Bad input found by our own code will not get better by retrying.
  if (err instanceof ReleasebotError && (err.code === 'BAD_REQUEST' || err.code === 'CONFIG_INVALID')) return { kind: 'permanent', message };
  return { kind: 'transient', message };
}
