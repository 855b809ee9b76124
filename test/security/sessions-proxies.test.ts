import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock/clock.js';
import { configSchema } from '../../src/config/schema.js';
import { buildServer } from '../../src/server/app.js';
import { createStore } from '../../src/store/create.js';
import { API_TOKEN, serverConfig, startHarness, USER, type Harness } from '../api-harness.js';
import { harnessForSuite, loginInject } from './support.js';

const stop = (headers: Record<string, string>) => ({ method: 'POST' as const, url: '/api/actions/stop', headers, payload: { reason: 't' } });

describe('security: server-side sessions', () => {
  let h: Harness;
  const wall = harnessForSuite((x) => (h = x));

  it('a cookie captured before logout no longer acts after it', async () => {
    const { cookie, csrf } = await loginInject(h, USER);
    const out = await h.app.inject({ method: 'POST', url: '/logout', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}` });
    assert.equal(out.statusCode, 303);
    assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
    const replay = await h.app.inject(stop({ cookie, 'x-csrf-token': csrf }));
    assert.equal(replay.statusCode, 401);
    assert.equal(h.pipeline.snapshot().hold, null);
    assert.equal((await h.store.listAudit({ limit: 5 })).some((a) => a.action === 'logout' && a.actor === `session:${USER.name}`), true);
  });

  it('sessions expire after 12 hours', async () => {
    const { cookie } = await loginInject(h, USER);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().user, USER.name);
    await wall.advance(12 * 3600_000);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().user, null);
  });

  it('an admin (API token) lists active sessions without their secrets', async () => {
    await loginInject(h, USER);
    const r = await h.app.inject({ method: 'GET', url: '/api/sessions', headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(r.statusCode, 200);
    const list = r.json().sessions as Array<Record<string, unknown>>;
    assert.ok(list.length >= 1 && list.every((s) => s.user === USER.name && !('id' in s) && !('csrf' in s)));
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/sessions' })).statusCode, 401);
  });

  it("an admin (API token) ends all of a user's sessions", async () => {
    const { cookie } = await loginInject(h, USER);
    assert.equal((await h.app.inject({ method: 'DELETE', url: `/api/sessions/${USER.name}` })).statusCode, 401);
    const r = await h.app.inject({ method: 'DELETE', url: `/api/sessions/${USER.name}`, headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(r.statusCode, 200);
    assert.ok(r.json().revoked >= 1);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().user, null);
  });
});

describe('security: a password change revokes sessions (across a restart, SQLite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-sessions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the old cookie works after a restart with the same password, not after a password change', async () => {
    const url = `sqlite:${join(dir, 'db.sqlite')}`;
    const start = async (password: string) => {
      const store = await createStore(url);
      const config = configSchema.parse({ server: { ui: { users: [{ name: USER.name, password }] } }, pipeline: { stages: [{ name: 's', environment: 'e', tier: 't', azs: ['a'], percent: 100 }] } }).server;
      const pipeline = { snapshot: () => ({ stages: [], builds: {}, queue: [], hold: null }) } as never;
      const app = buildServer({ config, store, pipeline, clock: new ManualClock(0) });
      return { app, close: async () => (await app.close(), await store.close()) };
    };
    const a = await start(USER.password);
    const { cookie } = await loginInject({ app: a.app } as Harness, USER);
    await a.close();
    const b = await start(USER.password);
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().user, USER.name, 'survives a restart');
    await b.close();
    const c = await start('a-brand-new-password');
    assert.equal((await c.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().user, null, 'ended by the password change');
    await c.close();
  });
});

describe('security: the trusted user header only from trusted proxies', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ui: { trustedUserHeader: 'X-Forwarded-User', trustedProxies: ['10.0.0.0/8', '::1'] } });
  });
  after(async () => {
    await h?.close();
  });

  it('from any other address the header gets 401 and an audit line, and nothing acts', async () => {
    for (const remoteAddress of ['127.0.0.1', '192.168.1.5', '11.0.0.1', '::2']) {
      const r = await h.app.inject({ ...stop({ 'x-forwarded-user': 'boss', 'x-forwarded-for': '10.0.0.1' }), remoteAddress });
      assert.equal(r.statusCode, 401, remoteAddress);
      assert.match(r.json().error.message, /trusted proxy/);
      const last = (await h.store.listAudit({ limit: 1 }))[0];
      assert.deepEqual([last.action, last.allowed, last.actor, (last.detail as { peer: string }).peer], ['sso-header', false, 'boss', remoteAddress]);
    }
    assert.equal(h.pipeline.snapshot().hold, null);
  });

  it('from a trusted proxy the header names the user (with the CSRF token for actions)', async () => {
    for (const remoteAddress of ['10.1.2.3', '::ffff:10.1.2.3', '::1']) {
      const me = (await h.app.inject({ method: 'GET', url: '/api/me', headers: { 'x-forwarded-user': 'bob' }, remoteAddress })).json();
      assert.deepEqual([me.user, me.via], ['bob', 'header'], remoteAddress);
    }
    const me = (await h.app.inject({ method: 'GET', url: '/api/me', headers: { 'x-forwarded-user': 'bob' }, remoteAddress: '10.1.2.3' })).json();
    const noToken = await h.app.inject({ ...stop({ 'x-forwarded-user': 'bob' }), remoteAddress: '10.1.2.3' });
    assert.equal(noToken.statusCode, 403, 'the proxy adds the header to cross-site requests too: the token is still needed');
    const ok = await h.app.inject({ ...stop({ 'x-forwarded-user': 'bob', 'x-csrf-token': me.csrfToken }), remoteAddress: '10.1.2.3' });
    assert.equal(ok.statusCode, 200);
    await h.pipeline.resume({ kind: 'person', id: 't' }, 'undo');
  });

  it('the header without trustedProxies is a config error naming the field', () => {
    assert.throws(() => serverConfig({ trustedUserHeader: 'X-Forwarded-User' }), /trustedProxies/);
    assert.throws(() => serverConfig({ trustedProxies: ['10.0.0.0/33'] }), /prefix length/);
    assert.throws(() => serverConfig({ trustedProxies: ['example.com'] }), /not an IP address/);
  });
});
