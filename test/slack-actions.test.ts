import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { FakeSlack } from './support/slack-server.js';
import { event, signal } from './support/slack-fixtures.js';
import { createSlackClient } from '../src/notify/slack.js';
import { ACTION_IDS, type SlackActionKind } from '../src/notify/slack-blocks.js';
import { registerSlackActions, type SlackClicks } from '../src/server/slack-actions.js';
import { computeSlackSignature } from '../src/server/slack-signature.js';
import { createStore } from '../src/store/create.js';
import { ManualClock } from '../src/clock/clock.js';
import type { Store } from '../src/store/store.js';
import type { Actor } from '../src/domain/pipeline.js';
import type { DeployEvent } from '../src/domain/events.js';
import type { PipelineActions } from '../src/pipeline/control.js';

const SECRET = 'test-signing-secret';
const NOW = 1_700_000_000_000;

/** A recording test double of our own PipelineActions: rollback is idempotent per build and takes a moment. */
class RecordingActions implements PipelineActions {
  readonly calls: Array<{ op: string; actor: Actor; buildId?: string }> = [];
  private rolledBack = new Set<string>();
  async hold(actor: Actor): Promise<void> {
    this.calls.push({ op: 'hold', actor });
  }
  async stop(actor: Actor): Promise<void> {
    this.calls.push({ op: 'stop', actor });
  }
  async resume(actor: Actor): Promise<void> {
    this.calls.push({ op: 'resume', actor });
  }
  async rollback(buildId: string, actor: Actor): Promise<boolean> {
    this.calls.push({ op: 'rollback', actor, buildId });
    await new Promise((r) => setTimeout(r, 20));
    if (this.rolledBack.has(buildId)) return false;
    this.rolledBack.add(buildId);
    return true;
  }
}

let slack: FakeSlack;
before(async () => {
  slack = await new FakeSlack().start();
  slack.groups.set('S_RELEASE', ['U_GROUPIE']);
});
after(() => slack.stop());

interface Ctx {
  app: FastifyInstance;
  store: Store;
  actions: RecordingActions;
  clock: ManualClock;
  changed: DeployEvent[];
  clicks: SlackClicks;
}

async function setup(): Promise<Ctx> {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock(NOW);
  const actions = new RecordingActions();
  const changed: DeployEvent[] = [];
  const app = Fastify();
  // Another JSON route on the same app: our raw-body parser must not leak into it.
  app.post('/json', async (req) => ({ got: req.body }));
  const clicks = registerSlackActions(app, {
    signingSecret: SECRET,
    actions,
    store,
    clock,
    slack: createSlackClient({ token: 'xoxb-test', apiUrl: slack.url }),
    allowedUsers: ['U_ALLOWED', 'U_OTHER'],
    allowedGroups: ['S_RELEASE'],
    onEventChanged: (e) => void changed.push(e),
  });
  await app.ready();
  return { app, store, actions, clock, changed, clicks };
}

function clickBody(kind: SlackActionKind, user: string, actionTs = '1.1'): string {
  const payload = {
    type: 'block_actions',
    user: { id: user },
    channel: { id: 'C_DEPLOYS' },
    actions: [{ action_id: ACTION_IDS[kind], value: JSON.stringify({ eventId: 'ev-1', buildId: 'b42' }), action_ts: actionTs }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Posts a click and waits until the action it acknowledged has been applied and answered. */
async function send(ctx: Ctx, body: string, opts: { secret?: string; ts?: number; signedBody?: string } = {}) {
  const ts = String(Math.floor((opts.ts ?? NOW) / 1000));
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/slack/actions',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': computeSlackSignature(opts.secret ?? SECRET, ts, opts.signedBody ?? body),
    },
    payload: body,
  });
  await ctx.clicks.idle();
  return res;
}

test("Slack's documented example request passes verification on the route", async () => {
  const ctx = await setup();
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const app = Fastify();
  registerSlackActions(app, { signingSecret: secret, actions: ctx.actions, store: ctx.store, clock: new ManualClock(1531420618_000), slack: createSlackClient({ token: 'x', apiUrl: slack.url }), allowedUsers: [], allowedGroups: [] });
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': '1531420618' };
  const good = await app.inject({ method: 'POST', url: '/slack/actions', headers: { ...headers, 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' }, payload: body });
  assert.equal(good.statusCode, 400, 'signature accepted; then rejected as not an interactivity payload');
  const bad = await app.inject({ method: 'POST', url: '/slack/actions', headers: { ...headers, 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504' }, payload: body });
  assert.equal(bad.statusCode, 401);
});

test('wrong secret, tampered body, stale timestamp, missing signature: 401 and nothing changes', async () => {
  const ctx = await setup();
  const body = clickBody('rollback', 'U_ALLOWED');
  const responses = [
    await send(ctx, body, { secret: 'wrong' }),
    await send(ctx, body.replace('U_ALLOWED', 'U_EVILXX'), { signedBody: body }),
    await send(ctx, body, { ts: NOW - 301_000 }),
    await send(ctx, body, { ts: NOW + 301_000 }),
    await ctx.app.inject({ method: 'POST', url: '/slack/actions', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body }),
  ];
  assert.deepEqual(responses.map((r) => r.statusCode), [401, 401, 401, 401, 401]);
  assert.equal(ctx.actions.calls.length, 0);
  assert.equal((await ctx.store.listAudit()).length, 0);
  assert.equal(slack.calls.length, 0);
  // The JSON API next to it still parses JSON.
  const json = await ctx.app.inject({ method: 'POST', url: '/json', payload: { a: 1 } });
  assert.deepEqual(json.json(), { got: { a: 1 } });
});

test('allowed rollback: performed as the person, audited, ephemeral confirmation', async () => {
  const ctx = await setup();
  const res = await send(ctx, clickBody('rollback', 'U_ALLOWED'));
  assert.equal(res.statusCode, 200);
  assert.deepEqual(ctx.actions.calls, [{ op: 'rollback', actor: { kind: 'person', id: 'U_ALLOWED' }, buildId: 'b42' }]);
  const audit = await ctx.store.listAudit();
  assert.equal(audit.length, 1);
  assert.equal(audit[0].allowed, true);
  assert.equal(audit[0].action, 'slack:rollback');
  assert.equal(audit[0].actor, 'U_ALLOWED');
  assert.match(String(slack.ok('chat.postEphemeral')[0].body.text), /Rolling back build b42/);
});

test('unauthorised user: ephemeral "not allowed", audited, no action', async () => {
  const ctx = await setup();
  for (const kind of ['rollback', 'pause', 'resume'] as const) {
    assert.equal((await send(ctx, clickBody(kind, 'U_STRANGER'))).statusCode, 200);
  }
  assert.equal(ctx.actions.calls.length, 0);
  const eph = slack.ok('chat.postEphemeral');
  assert.equal(eph.length, 3);
  assert.equal(eph[0].body.user, 'U_STRANGER');
  assert.match(String(eph[0].body.text), /not allowed to roll back/);
  const audit = await ctx.store.listAudit();
  assert.deepEqual(audit.map((a) => [a.actor, a.action, a.allowed]).sort(), [
    ['U_STRANGER', 'slack:pause', false],
    ['U_STRANGER', 'slack:resume', false],
    ['U_STRANGER', 'slack:rollback', false],
  ]);
});

test('user-group members may pause and resume; membership is cached briefly', async () => {
  const ctx = await setup();
  await send(ctx, clickBody('pause', 'U_GROUPIE', '2.1'));
  await send(ctx, clickBody('resume', 'U_GROUPIE', '2.2'));
  assert.deepEqual(ctx.actions.calls.map((c) => [c.op, c.actor.id]), [['stop', 'U_GROUPIE'], ['resume', 'U_GROUPIE']]);
  assert.equal(slack.ok('usergroups.users.list').length, 1, 'second check served from cache');
  await ctx.clock.advance(61_000);
  await send(ctx, clickBody('pause', 'U_GROUPIE', '2.3'), { ts: ctx.clock.now() });
  assert.equal(slack.ok('usergroups.users.list').length, 2, 'cache expired');
  // Slack retrying the very same click (same action_ts) does not pause twice.
  await send(ctx, clickBody('pause', 'U_GROUPIE', '2.3'), { ts: ctx.clock.now() });
  assert.equal(ctx.actions.calls.filter((c) => c.op === 'stop').length, 2);
});

test('two concurrent rollback clicks and a double click roll back once', async () => {
  const ctx = await setup();
  const results = await Promise.all([
    send(ctx, clickBody('rollback', 'U_ALLOWED', '3.1')),
    send(ctx, clickBody('rollback', 'U_OTHER', '3.2')),
    send(ctx, clickBody('rollback', 'U_ALLOWED', '3.3')),
  ]);
  assert.deepEqual(results.map((r) => r.statusCode), [200, 200, 200]);
  assert.equal(ctx.actions.calls.filter((c) => c.op === 'rollback').length, 1);
  const audit = await ctx.store.listAudit();
  assert.equal(audit.length, 3);
  assert.equal(audit.filter((a) => (a.detail as { duplicate?: boolean } | undefined)?.duplicate).length, 2);
  const texts = slack.ok('chat.postEphemeral').map((c) => String(c.body.text)).sort();
  assert.deepEqual(texts, ['Build b42 is already being rolled back.', 'Build b42 is already being rolled back.', 'Rolling back build b42.']);
});

test('Acknowledge records who acknowledged on the event (anyone may acknowledge)', async () => {
  const ctx = await setup();
  await ctx.store.upsertEvent(event([signal('error_rate', 1)]));
  assert.equal((await send(ctx, clickBody('acknowledge', 'U_STRANGER'))).statusCode, 200);
  assert.equal((await ctx.store.getEvent('ev-1'))?.acknowledgedBy, 'U_STRANGER');
  assert.equal(ctx.changed.length, 1);
  assert.equal(ctx.actions.calls.length, 0);
  assert.equal((await ctx.store.listAudit())[0].action, 'slack:acknowledge');
});
