import { z } from 'zod';
import { cidrProblem } from './cidr.js';
import { linkTemplateProblems } from './link-template.js';
import { DEFAULT_MARGIN } from '../detect/threshold.js';

/** A duration: a number of seconds, or a string like "90s", "10m", "3h", "1d". Parsed to seconds. */
export const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `invalid duration "${v}" (use e.g. 30s, 10m, 3h, 1d)` });
    return z.NEVER;
  }
  const n = Number(m[1]);
  const mult = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * mult;
});

const severity = z.enum(['white', 'blue', 'red', 'siren', 'fire']);

export const stageSchema = z.strictObject({
  name: z.string().min(1),
  environment: z.string().min(1),
  tier: z.string().min(1),
  azs: z.array(z.string().min(1)).min(1),
  percent: z.number().gt(0).max(100),
  bake: duration.default(600),
});

const retrySchema = {
  timeout: duration.default(600),
  retries: z.number().int().min(0).max(20).default(2),
  backoff: duration.default(5),
};

/** A portable environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const deployerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('simulated'), stepSeconds: duration.default(20), failRate: z.number().min(0).max(1).default(0) }),
  z.strictObject({
    type: z.literal('command'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Extra environment variables for the command (it gets a clean environment). */
    env: z.record(z.string().regex(ENV_NAME, 'an environment variable name'), z.string()).default({}),
    /** Names of the bot's own environment variables passed through to the command. */
    passEnv: z.array(z.string().regex(ENV_NAME, 'an environment variable name')).default([]),
    ...retrySchema,
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: z.string().url(),
    headers: z.record(z.string()).default({}),
    ...retrySchema,
  }),
]);

const authSchema = z.union([
  z.strictObject({ bearer: z.string().min(1) }),
  z.strictObject({ username: z.string().min(1), password: z.string() }),
]);

export const metricsSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('simulated'),
    seed: z.number().int().default(1),
  }),
  z.strictObject({
    type: z.literal('prometheus'),
    url: z.string().url(),
    timeout: duration.default(10),
    retries: z.number().int().min(0).max(10).default(2),
    auth: authSchema.optional(),
    compression: z.enum(['auto', 'gzip', 'none']).default('auto'),
  }),
]);

export const detectorSchema = z.strictObject({
  /** `default`: the robust default detector; `zscore`: the plain seed z-score rule. */
  type: z.enum(['default', 'zscore']).default('default'),
  baseline: duration.default(3 * 3600),
  window: duration.default(300),
  threshold: z.number().positive().default(3),
  minSamples: z.number().int().positive().optional(),
  minStd: z.number().nonnegative().optional(),
  minRelativeStd: z.number().nonnegative().optional(),
  minVolume: z.number().nonnegative().optional(),
});

/** A link template: a URL with `{{var}}` placeholders, checked at load time. */
const linkTemplate = z.string().min(1).superRefine((v, ctx) => {
  for (const message of linkTemplateProblems(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
});

/** Issues for every repeated `name` in a list, at the repeated item's `name` field. Works on raw input too. */
export function duplicateNameIssues(items: unknown[], what: string): { path: (string | number)[]; message: string }[] {
  const first = new Map<string, number>();
  const issues: { path: (string | number)[]; message: string }[] = [];
  items.forEach((item, i) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    const prev = first.get(name);
    if (prev === undefined) first.set(name, i);
    else issues.push({ path: [i, 'name'], message: `duplicate ${what} name "${name}" (first used at index ${prev})` });
  });
  return issues;
}

function uniqueNames(what: string) {
  return (items: { name: string }[], ctx: z.RefinementCtx): void => {
    for (const issue of duplicateNameIssues(items, what)) ctx.addIssue({ code: z.ZodIssueCode.custom, ...issue });
  };
}

export const checkSchema = z.strictObject({
  name: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, _ . : -'),
  query: z.string().min(1),
  direction: z.enum(['up', 'down', 'both']).default('up'),
  detector: detectorSchema.default({}),
  /** Static threshold: a breach when the value crosses it in the check's direction. */
  static: z.number().optional(),
  /** Dynamic threshold: max(static, average over the window); `seasonal` averages today, 1 day and 7 days ago. */
  dynamic: z.enum(['off', 'dynamic', 'seasonal']).default('off'),
  dynamicWindow: duration.default(6 * 3600),
  /**
   * How far beyond the dynamic/seasonal level the window's average must lie to breach: the larger of
   * `relative` x |level| and `sigmas` x the series' std over the dynamic window (defaults: detect/threshold.ts).
   */
  margin: z
    .strictObject({ relative: z.number().nonnegative().default(DEFAULT_MARGIN.relative), sigmas: z.number().nonnegative().default(DEFAULT_MARGIN.sigmas) })
    .default({}),
  /** Link templates with `{{var}}` placeholders (see link-template.ts). */
  links: z.strictObject({ graph: linkTemplate.optional(), logs: linkTemplate.optional() }).default({}),
});

export const policySchema = z.strictObject({
  shadow: z.boolean().default(false),
  hold: z.array(severity).default(['blue']),
  stop: z.array(severity).default(['red', 'siren']),
  rollback: z.array(severity).default(['fire']),
  offerRollback: z.array(severity).default(['red', 'siren']),
  page: z.array(severity).default(['siren', 'fire']),
  /** After this long without data for a deploy, hold the pipeline and say why. */
  noDataHold: duration.default(300),
  /**
   * After a build has been held at its stage past its bake (a block, gate breaches) for this long,
   * escalate its open event: roll back when high confidence with recent, lasting evidence of the
   * deploy's own making, else offer the rollback and page. 0: never.
   */
  escalateAfter: duration.default(600),
});

export const slackSchema = z.strictObject({
  token: z.string().min(1),
  signingSecret: z.string().min(1),
  apiUrl: z.string().url().default('https://slack.com/api/'),
  deploysChannel: z.string().min(1),
  teamChannel: z.string().min(1).optional(),
  allowedUsers: z.array(z.string()).default([]),
  allowedGroups: z.array(z.string()).default([]),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      apiTokens: z.array(z.string().min(8, 'API tokens must be at least 8 characters')).default([]),
      ui: z
        .strictObject({
          requireLoginForRead: z.boolean().default(false),
          users: z.array(z.strictObject({ name: z.string().min(1), password: z.string().min(8) })).default([]),
          /** Trust this header as the logged-in user (set by an SSO proxy in front of the bot). */
          trustedUserHeader: z.string().optional(),
          /** Addresses (CIDRs) of the proxies allowed to send trustedUserHeader and X-Forwarded-*. */
          trustedProxies: z.array(z.string().superRefine((c, ctx) => {
            const problem = cidrProblem(c);
            if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
          })).default([]),
          /** The URL users reach the UI at (e.g. https://releasebot.example.com); state-changing requests must come from its origin. */
          publicUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL').optional(),
          /** HMAC key for UI session cookies; when absent a random key is made at startup (sessions end on restart). */
          sessionSecret: z.string().min(16, 'sessionSecret must be at least 16 characters').optional(),
        })
        .superRefine((ui, ctx) => {
          // A user header trusted from anyone lets anyone who reaches the port act as anyone.
          if (ui.trustedUserHeader !== undefined && ui.trustedProxies.length === 0) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['trustedProxies'], message: 'trustedUserHeader needs trustedProxies: the addresses (CIDRs) of the SSO proxy' });
          }
        })
        .default({}),
    })
    .default({}),
  store: z.strictObject({ url: z.string().default('sqlite:./.releasebot/releasebot.db') }).default({}),
  /** Several `serve` processes on one PostgreSQL store: one leads (runs the pipeline and monitor), all serve the API and UI. */
  replicas: z
    .strictObject({
      /** Default: on with a PostgreSQL store, off with SQLite (one process only; `true` there is an error). */
      enabled: z.boolean().optional(),
      /** Lease time to live: a dead leader is replaced within it. */
      lease: duration.default(15),
      /** How often a follower reloads the pipeline state for its API and UI. */
      refresh: duration.default(1),
      /** How long a follower waits for the leader to apply a person's hold/stop/resume/rollback before answering 503. */
      commandTimeout: duration.default(30),
    })
    .default({}),
  pipeline: z.strictObject({
    tick: duration.default(5),
    /** One ordered list across environments; names must be unique. */
    stages: z.array(stageSchema).min(1).superRefine(uniqueNames('stage')),
  }),
  deployer: deployerSchema.default({ type: 'simulated' }),
  metrics: metricsSchema.default({ type: 'simulated' }),
  scopeLabels: z
    .strictObject({ tier: z.string().default('tier'), az: z.string().default('az'), environment: z.string().default('environment') })
    .default({}),
  monitor: z
    .strictObject({
      tick: duration.default(30),
      groupingWindow: duration.default(600),
      quietPeriod: duration.default(900),
      /** How check history is fetched: `auto` (by series count), `raw` (window cache) or `pushdown` (baseline stats computed by the backend). */
      fetchMode: z.enum(['auto', 'raw', 'pushdown']).default('auto'),
      /** In `auto`: checks with at least this many series push their baseline down. */
      pushdownAtSeries: z.number().int().positive().default(50_000),
      /** The promotion gate's staleness bound: the newest in-scope sample may be at most this old. Default: 3x the observed sample spacing. */
      staleness: duration.optional(),
    })
    .default({}),
  checks: z.array(checkSchema).superRefine(uniqueNames('check')).default([]),
  policy: policySchema.default({}),
  notify: z
    .strictObject({
      slack: slackSchema.optional(),
      pagerduty: z.strictObject({ routingKey: z.string().min(1), url: z.string().url().default('https://events.pagerduty.com/v2/enqueue') }).optional(),
      console: z.boolean().default(true),
    })
    .default({}),
});

export type Config = z.infer<typeof configSchema>;
export type CheckConfig = z.infer<typeof checkSchema>;
export type StageConfig = z.infer<typeof stageSchema>;
export type DeployerConfig = z.infer<typeof deployerSchema>;
export type MetricsConfig = z.infer<typeof metricsSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type SlackConfig = z.infer<typeof slackSchema>;
export type DetectorConfig = z.infer<typeof detectorSchema>;
