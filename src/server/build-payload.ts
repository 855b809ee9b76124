import { z } from 'zod';

/**
 * C0 and C1 control characters, DEL, and the bidirectional overrides ("Trojan Source"): none
 * belongs in a title, a name or a link, and each can disguise what a reader sees.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A one-line text field: bounded, no control characters. */
const text = (max: number) => z.string().min(1).max(max).refine((s) => !CONTROL.test(s), 'must not contain control characters');

/** True for an absolute http(s) URL; anything else (javascript:, data:, file:, ...) must never become a link. */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A link shown in the UI: http or https only, checked here and again when rendered. */
const httpUrl = z
  .string()
  .max(2048)
  .refine((s) => !CONTROL.test(s), 'must not contain control characters')
  .refine(isHttpUrl, 'must be an http:// or https:// URL');

/** PR numbers are positive 32-bit integers on every forge; `1e300` is an integer to JavaScript but not a PR. */
const PR_NUMBER_MAX = 2_147_483_647;

/** A pull request in a build payload. Unknown fields are rejected so typos surface at once. */
export const pullRequestPayload = z.strictObject({
  number: z.number().int().positive().max(PR_NUMBER_MAX),
  title: text(1000),
  url: httpUrl,
  authorName: text(200),
  authorSlackId: z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id like U012ABCDEF').max(64).optional(),
  authorEmail: z.string().max(320).email().optional(),
  codeOwners: z.array(text(200)).max(100).default([]),
});

/** The body of `POST /api/builds`, as CI sends it. */
export const buildPayload = z.strictObject({
  // Ids appear in URLs (/builds/:id), so no slashes, whitespace or query characters.
  id: z.string().min(1).max(200).regex(/^[A-Za-z0-9._:@+-]+$/, 'letters, digits and . _ : @ + - only'),
  sha: z.string().regex(/^[0-9a-fA-F]{7,64}$/, 'a hex commit sha (7 to 64 characters)'),
  createdAt: z.string().datetime({ offset: true }),
  ciUrl: httpUrl.optional(),
  pullRequests: z.array(pullRequestPayload).max(1000),
});

export type BuildPayload = z.infer<typeof buildPayload>;
