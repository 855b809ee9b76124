import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_TOKEN, startHarness, USER, type Harness } from '../api-harness.js';
import { freshPostgres, harnessForSuite } from './support.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const body = (name: string, password: string) => new URLSearchParams({ name, password }).toString();

describe('security: login throttling, bounded audit, audit only for logged-in users', () => {
  let h: Harness;
  const wall = harnessForSuite((x) => (h = x));

  it('300 wrong passwords are mostly refused unchecked, and then the right one does not get in at once', async () => {
    const codes = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const r = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body(USER.name, `guess-${i}`) });
      codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1);
    }
    assert.ok((codes.get(303) ?? 0) <= 10, `at most a handful of guesses were checked: ${JSON.stringify([...codes])}`);
    assert.ok((codes.get(429) ?? 0) >= 290);
    const right = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body(USER.name, USER.password) });
    assert.equal(right.statusCode, 429, 'locked even with the right password');
    assert.ok(Number(right.headers['retry-after']) >= 1);
    assert.equal(right.json().error.code, 'TOO_MANY_REQUESTS');
    const audit = await h.store.listAudit({ limit: 5 });
    assert.ok(audit.some((a) => a.action === 'login' && !a.allowed && (a.detail as { reason?: string }).reason === 'throttled'), 'lockouts are audited');
  });

  it('the lock ends after its backoff, and a success clears it', async () => {
    await wall.advance(16 * 60_000);
    const right = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body(USER.name, USER.password) });
    assert.equal(right.statusCode, 303);
    assert.match(String(right.headers['set-cookie']), /rb_session=/);
  });

  it('throttles one address guessing many names', async () => {
    let locked = 0;
    for (let i = 0; i < 40; i++) {
      const r = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body(`user${i}`, 'nope-nope'), remoteAddress: '10.9.9.9' });
      if (r.statusCode === 429) locked++;
    }
    assert.ok(locked >= 25, `${locked} of 40 refused`);
    // Another address is not affected.
    const other = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body('someone', 'nope-nope'), remoteAddress: '10.9.9.10' });
    assert.equal(other.statusCode, 303);
  });

  it('30 failed logins with a 1 MB name add only kilobytes to the audit log', async () => {
    await wall.advance(60 * 60_000);
    const before = JSON.stringify(await h.store.listAudit({ limit: 1000 })).length;
    const big = 'A'.repeat(1024 * 1024 - 100);
    for (let i = 0; i < 30; i++) await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body(big + i, 'x'), remoteAddress: `10.1.0.${i}` });
    const grown = JSON.stringify(await h.store.listAudit({ limit: 1000 })).length - before;
    assert.ok(grown < 30 * 2000, `audit grew by ${grown} bytes`);
    const last = (await h.store.listAudit({ limit: 1 }))[0];
    assert.equal(last.action, 'login');
    assert.ok(last.actor.length <= 250 && last.actor.startsWith('AAAA'), 'the name is kept, cut');
  });

  it('the audit log is readable only when logged in', async () => {
    const anon = await h.app.inject({ method: 'GET', url: '/api/audit' });
    assert.equal(anon.statusCode, 401);
    const token = await h.app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(token.statusCode, 200);
  });
});

describe('security: NUL bytes reach PostgreSQL as audited text, not as a 500', async () => {
  const pg = await freshPostgres();
  const skip = 'skip' in pg ? pg.skip : false;
  let h: Harness;
  before(async () => {
    if (!('skip' in pg)) h = await startHarness({ storeUrl: pg.url });
  });
  after(async () => {
    await h?.close();
    if (!('skip' in pg)) await pg.dispose();
  });

  it('a login name with a NUL byte is refused and audited', { skip }, async () => {
    const r = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body('ali\u0000ce', 'whatever-123') });
    assert.equal(r.statusCode, 303);
    const last = (await h.store.listAudit({ limit: 1 }))[0];
    assert.deepEqual([last.action, last.allowed, last.actor], ['login', false, 'ali\ufffdce']);
  });

  it('sessions work on PostgreSQL: login, act, logout revokes', { skip }, async () => {
    const login = await h.app.inject({ method: 'POST', url: '/login', headers: form, payload: body(USER.name, USER.password) });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const me = (await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json();
    assert.equal(me.user, USER.name);
    await h.app.inject({ method: 'POST', url: '/logout', headers: { ...form, cookie }, payload: `_csrf=${me.csrfToken}` });
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json().user, null);
  });
});
