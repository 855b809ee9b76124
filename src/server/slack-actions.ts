import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebClient } from '@slack/web-api';
import { waitAtMost, type Clock } from '../clock/clock.js';
import type { DeployEvent } from '../domain/events.js';
import type { Actor } from '../domain/pipeline.js';
import type { PipelineActions } from '../pipeline/control.js';
import type { Store } from '../store/store.js';
import { actionKindOf, parseActionValue, type ActionValue, type SlackActionKind } from '../notify/slack-blocks.js';
import { SlackAuthorizer } from './slack-authorizer.js';
import { verifySlackSignature } from './slack-signature.js';

export interface SlackActionsDeps {
  signingSecret: string;
  actions: PipelineActions;
  store: Store;
  clock: Clock;
  /**
   * Clock the request-signature window is checked against. Slack signs with wall time, so this must
   * be real time even when `clock` is virtual (the demo). Default: `clock`.
   */
  signatureClock?: Clock;
  slack: WebClient;
  allowedUsers: string[];
  allowedGroups: string[];
  /** Called after "Acknowledge" stored who acknowledged, e.g. to enqueue a re-render of the event message. */
  onEventChanged?: (event: DeployEvent) => void | Promise<void>;
  log?: (line: string) => void;
  /** Route path; default `/slack/actions`. */
  path?: string;
}

/** The parts of Slack's `block_actions` payload we use. */
interface BlockActionsPayload {
  type: string;
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string };
  actions?: Array<{ action_id?: string; value?: string; action_ts?: string }>;
}

/** KV namespace of the "this click was handled" guards. */
export const SLACK_ACTION_KV = 'slack-action';

const NEEDS_PERMISSION: ReadonlySet<SlackActionKind> = new Set(['rollback', 'pause', 'resume']);

/** How long closing the server waits for clicks still being applied (a follower may wait for a new leader). */
const CLOSE_WAIT_MS = 5000;

/** Clicks acknowledged to Slack and still being applied. */
export interface SlackClicks {
  /** Resolves when every click acknowledged so far has been applied (or refused) and answered. */
  idle(): Promise<void>;
}

/**
 * `POST /slack/actions`: Slack's interactivity endpoint for the event message buttons.
 * Verifies the v0 signature over the raw body (401 and no change otherwise) and checks permissions,
 * then answers 200 at once: Slack wants an answer within 3 s, and on a follower during a failover
 * the action waits for the next leader (up to the lease TTL). The action is then performed through
 * the same PipelineActions the UI uses (on a follower: the command inbox), and its outcome is told
 * to the person who clicked in an ephemeral message. Every attempt is audited.
 */
export function registerSlackActions(app: FastifyInstance, deps: SlackActionsDeps): SlackClicks {
  const authorizer = new SlackAuthorizer(deps);
  const log = deps.log ?? (() => undefined);
  const pending = new Set<Promise<void>>();
  const clicks = {
    run(p: Promise<void>): void {
      const tracked: Promise<void> = p.catch((e: unknown) => log(`slack actions: ${(e as Error).message}`)).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
  // Encapsulated: the raw-string body parser applies to this route only, not to the JSON API.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(deps.path ?? '/slack/actions', async (req, reply) => handle(req, reply, deps, authorizer, log, clicks.run));
  });
  app.addHook('onClose', async () => {
    // Wall time where the pipeline's clock is virtual (the demo): a stopped demo no longer moves it.
    if (pending.size > 0) await waitAtMost(deps.signatureClock ?? deps.clock, clicks.idle(), CLOSE_WAIT_MS);
  });
  return { idle: () => clicks.idle() };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function handle(req: FastifyRequest, reply: FastifyReply, deps: SlackActionsDeps, authorizer: SlackAuthorizer, log: (l: string) => void, later: (p: Promise<void>) => void) {
  const raw = typeof req.body === 'string' ? req.body : '';
  const verdict = verifySlackSignature({
    signingSecret: deps.signingSecret,
    timestamp: header(req, 'x-slack-request-timestamp'),
    signature: header(req, 'x-slack-signature'),
    rawBody: raw,
    nowMs: (deps.signatureClock ?? deps.clock).now(),
  });
  if (!verdict.ok) {
    log(`slack actions: rejected request (${verdict.reason})`);
    return reply.code(401).send({ error: 'invalid_signature', reason: verdict.reason });
  }
  const payload = parsePayload(raw);
  if (!payload) return reply.code(400).send({ error: 'bad_payload', message: 'body must be form-encoded with a JSON object in the "payload" field' });
  const action = payload.actions?.[0];
  const kind = action?.action_id ? actionKindOf(action.action_id) : undefined;
  const value = parseActionValue(action?.value);
  const user = payload.user?.id;
  // Not one of our buttons (or not a button at all): acknowledge and do nothing.
  if (payload.type !== 'block_actions' || !kind || !value || typeof user !== 'string' || !user) return reply.code(200).send();
  if (!SLACK_ID.test(user)) {
    // Signed, but not a user id Slack makes (a NUL byte, a megabyte): refused and on record, never acted on.
    await deps.store.appendAudit({ at: deps.clock.now(), actor: user, action: `slack:${kind}`, target: value.buildId, allowed: false, detail: { reason: 'malformed Slack user id' } });
    return reply.code(200).send();
  }
  const channel = payload.channel?.id ?? payload.container?.channel_id;
  // Without action_ts a replay of the same signed request is recognised by its body instead.
  const actionTs = typeof action?.action_ts === 'string' && action.action_ts !== '' ? action.action_ts : `body-${createHash('sha256').update(raw).digest('hex')}`;
  const click: Click = { kind, value, user, actionTs, ...(channel ? { channel } : {}) };
  const allowed = !NEEDS_PERMISSION.has(kind) || (await authorizer.isAllowed(user));
  // Acknowledged now; the action and its answer to the person follow.
  void reply.code(200).send();
  later(perform(click, allowed, deps, log));
  return reply;
}

/** Slack user ids are short and alphanumeric (U012ABCDEF; tests use U_ALLOWED). */
const SLACK_ID = /^[A-Za-z0-9_]{1,64}$/;

/** The interactivity payload when it is a JSON object; null for anything else (`payload=null`, a number, garbage). */
function parsePayload(raw: string): BlockActionsPayload | null {
  try {
    const p: unknown = JSON.parse(new URLSearchParams(raw).get('payload') ?? '');
    return p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as BlockActionsPayload) : null;
  } catch {
    return null;
  }
}

interface Click {
  kind: SlackActionKind;
  value: ActionValue;
  user: string;
  channel?: string;
  actionTs: string;
}

async function perform(click: Click, allowed: boolean, deps: SlackActionsDeps, log: (l: string) => void): Promise<void> {
  const { kind, value, user } = click;
  const audit = (allowed: boolean, detail: Record<string, unknown> = {}) =>
    deps.store.appendAudit({ at: deps.clock.now(), actor: user, action: `slack:${kind}`, target: value.buildId, allowed, detail: { eventId: value.eventId, channel: click.channel, ...detail } });
  if (!allowed) {
    await audit(false, { reason: 'not in allowedUsers or allowedGroups' });
    await ephemeral(deps, click, `Sorry, you are not allowed to ${kind === 'rollback' ? 'roll back' : kind} from Slack. Ask someone on the release team.`, log);
    return;
  }
  // Double clicks, two people at once, and Slack's own retries of one request: only the first claim acts.
  const guardKey = kind === 'rollback' ? `rollback:${value.buildId}` : `${kind}:${value.eventId}:${click.actionTs}`;
  if (!(await claim(deps, guardKey, user))) {
    await audit(true, { duplicate: true });
    await ephemeral(deps, click, kind === 'rollback' ? `Build ${value.buildId} is already being rolled back.` : 'Already done.', log);
    return;
  }
  await audit(true);
  const actor: Actor = { kind: 'person', id: user };
  const reason = `Slack button on event ${value.eventId} by <@${user}>`;
  try {
    const text = await act(kind, value, actor, reason, deps);
    await ephemeral(deps, click, text, log);
  } catch (err) {
    // Release the claim so a later click can try again (the store has no delete; a marked claim is re-claimable).
    await deps.store.setKv(SLACK_ACTION_KV, guardKey, JSON.stringify({ failed: true, user, at: deps.clock.now() })).catch(() => undefined);
    log(`slack actions: ${kind} by ${user} failed: ${(err as Error).message}`);
    await ephemeral(deps, click, `That did not work: ${(err as Error).message}`, log);
  }
}

/** Claims a click guard: true if this request may act. A guard left by a failed attempt can be claimed again. */
async function claim(deps: SlackActionsDeps, key: string, user: string): Promise<boolean> {
  const value = JSON.stringify({ user, at: deps.clock.now() });
  if (await deps.store.setKvIfAbsent(SLACK_ACTION_KV, key, value)) return true;
  const existing = await deps.store.getKv(SLACK_ACTION_KV, key);
  if (!existing || !(JSON.parse(existing) as { failed?: boolean }).failed) return false;
  await deps.store.setKv(SLACK_ACTION_KV, key, value);
  return true;
}

async function act(kind: SlackActionKind, value: ActionValue, actor: Actor, reason: string, deps: SlackActionsDeps): Promise<string> {
  switch (kind) {
    case 'rollback': {
      const started = await deps.actions.rollback(value.buildId, actor, reason, { eventId: value.eventId, source: 'slack' });
      return started ? `Rolling back build ${value.buildId}.` : `Build ${value.buildId} was already rolled back.`;
    }
    case 'pause':
      // "Pause" is a stop: no new deploy step starts until someone resumes.
      await deps.actions.stop(actor, reason);
      return 'Pipeline paused. Press Resume (here or in the UI) to continue.';
    case 'resume':
      await deps.actions.resume(actor, reason);
      return 'Pipeline resumed.';
    case 'acknowledge': {
      const event = await deps.store.getEvent(value.eventId);
      if (!event) return `Event ${value.eventId} is not known (any more).`;
      const updated: DeployEvent = { ...event, acknowledgedBy: actor.id, updatedAt: Math.max(event.updatedAt, deps.clock.now()) };
      await deps.store.upsertEvent(updated);
      await deps.onEventChanged?.(updated);
      return `You acknowledged event ${value.eventId}.`;
    }
  }
}

/** A reply only the clicker sees; best effort (a failing Slack must not undo the action). */
async function ephemeral(deps: SlackActionsDeps, click: Click, text: string, log: (l: string) => void): Promise<void> {
  if (!click.channel) return;
  try {
    await deps.slack.chat.postEphemeral({ channel: click.channel, user: click.user, text });
  } catch (err) {
    log(`slack actions: ephemeral reply failed: ${(err as Error).message}`);
  }
}
