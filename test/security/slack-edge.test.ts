import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/clock/clock.js';
import type { Actor } from '../../src/domain/pipeline.js';
import { createSlackClient } from '../../src/notify/slack.js';
import { ACTION_IDS } from '../../src/notify/slack-blocks.js';
import type { PipelineActions } from '../../src/pipeline/control.js';
import { registerSlackActions, type SlackClicks } from '../../src/server/slack-actions.js';
import { computeSlackSignature } from '../../src/server/slack-signature.js';
import { createStore } from '../../src/store/create.js';
import type { Store } from '../../src/store/store.js';
import { FakeSlack } from '../support/slack-server.js';
import { freshPostgres } from './support.js';

const SECRET = 'test-signing-secret';
const NOW = 1_700_000_000_000;

class Recording implements PipelineActions {
  readonly calls: string[] = [];
  async hold(a: Actor) { this.calls.push(`hold ${a.id}`); }
  async stop(a: Actor) { this.calls.push(`stop ${a.id}`); }
  async resume(a: Actor) { this.calls.push(`resume ${a.id}`); }
  async rollback(b: string, a: Actor) { this.calls.push(`rollback ${b} ${a.id}`); return true; }
}

function signed(app: FastifyInstance, payload: string) {
  const body = `payload=${encodeURIComponent(payload)}`;
  const ts = String(NOW / 1000);
  return app.inject({ method: 'POST', url: '/slack/actions', payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': computeSlackSignature(SECRET, ts, body) } });
}

const click = (user: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'block_actions', user: { id: user }, actions: [{ action_id: ACTION_IDS.pause, value: JSON.stringify({ eventId: 'ev-1', buildId: 'b42' }), ...extra }] });

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`security: Slack action edge cases (${engine})`, async () => {
    const pg = engine === 'postgres' ? await freshPostgres() : undefined;
    const skip = pg && 'skip' in pg ? pg.skip : false;
    let slack: FakeSlack;
    let store: Store;
    let app: FastifyInstance;
    let clicks: SlackClicks;
    const actions = new Recording();
    /** A signed request, answered once the click it acknowledged has been applied. */
    const send = async (payload: string) => {
      const r = await signed(app, payload);
      await clicks.idle();
      return r;
    };
    before(async () => {
      if (skip) return;
      slack = await new FakeSlack().start();
      store = await createStore(pg && !('skip' in pg) ? pg.url : 'sqlite::memory:');
      app = Fastify();
      clicks = registerSlackActions(app, { signingSecret: SECRET, actions, store, clock: new ManualClock(NOW), slack: createSlackClient({ token: 'xoxb-test', apiUrl: slack.url }), allowedUsers: ['U0ALLOWED'], allowedGroups: [] });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await slack?.stop();
      if (pg && !('skip' in pg)) await pg.dispose();
    });

    it('payload=null, a number or an array is a 400, not a 500', { skip }, async () => {
      for (const p of ['null', '42', '[]', '"x"']) assert.equal((await send(p)).statusCode, 400, p);
    });

    it('a click without action_ts acts once however often the signed request is replayed', { skip }, async () => {
      const before = actions.calls.length;
      const body = click('U0ALLOWED');
      for (let i = 0; i < 3; i++) assert.equal((await send(body)).statusCode, 200);
      assert.deepEqual(actions.calls.slice(before), ['stop U0ALLOWED']);
    });

    it('a NUL byte or a huge value as the Slack user id is refused and audited, never a 500', { skip }, async () => {
      for (const user of ['U0ALL\u0000OWED', 'U'.repeat(100_000)]) {
        const r = await send(click(user, { action_ts: '9.9' }));
        assert.equal(r.statusCode, 200);
        const last = (await store.listAudit({ limit: 1 }))[0];
        assert.equal(last.allowed, false);
        assert.equal((last.detail as { reason: string }).reason, 'malformed Slack user id');
        assert.ok(last.actor.length < 300 && !last.actor.includes('\u0000'));
      }
      assert.ok(!actions.calls.some((c) => c.includes('\u0000')));
    });
  });
}
