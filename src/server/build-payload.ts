import { z } from 'zod';

/** A pull request in a build payload. Unknown fields are rejected so typos surface at once. */
export const pullRequestPayload = z.strictObject({
  number: z.number().int().positive(),
  title: z.string().min(1),
  url: z.string().url(),
  authorName: z.string().min(1),
  authorSlackId: z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id like U012ABCDEF').optional(),
  authorEmail: z.string().email().optional(),
  codeOwners: z.array(z.string().min(1)).default([]),
});

/** The body of `POST /api/builds`, as CI sends it. */
export const buildPayload = z.strictObject({
  // Ids appear in URLs (/builds/:id), so no slashes, whitespace or query characters.
  id: z.string().min(1).max(200).regex(/^[A-Za-z0-9._:@+-]+$/, 'letters, digits and . _ : @ + - only'),
  sha: z.string().regex(/^[0-9a-fA-F]{7,64}$/, 'a hex commit sha (7 to 64 characters)'),
  createdAt: z.string().datetime({ offset: true }),
  ciUrl: z.string().url().optional(),
  pullRequests: z.array(pullRequestPayload),
});

export type BuildPayload = z.infer<typeof buildPayload>;
