import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request timestamp may be from our clock before it counts as a replay (Slack recommends 5 minutes). */
export const SLACK_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with the signing secret. */
export function computeSlackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Inputs to {@link verifySlackSignature}: the two headers, the body exactly as received, and our time. */
export interface SlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` (seconds since the epoch, as a string). */
  timestamp: string | undefined;
  /** `X-Slack-Signature` (`v0=...`). */
  signature: string | undefined;
  /** The raw request body: a re-serialised parsed body would not match. */
  rawBody: string;
  /** Our clock, epoch milliseconds. */
  nowMs: number;
  toleranceSeconds?: number;
}

export type SlackSignatureResult =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature' };

/**
 * Verifies a request from Slack. Pure: no I/O, time passed in.
 * The comparison is constant-time so the signature cannot be guessed byte by byte.
 */
export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureResult {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const tolerance = input.toleranceSeconds ?? SLACK_SIGNATURE_TOLERANCE_SECONDS;
  // Both directions: a timestamp far in the future is as suspicious as an old one.
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > tolerance) return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(computeSlackSignature(input.signingSecret, timestamp, input.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on length mismatch; a different length is simply a wrong signature.
  if (given.length !== expected.length) return { ok: false, reason: 'bad_signature' };
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
