import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_TOKEN, startHarness, USER, type Harness } from '../api-harness.js';
import { loginInject } from './support.js';

describe('security: CSRF checks on every cookie-authorised state change', () => {
  let h: Harness;
  let s: { cookie: string; csrf: string };
  before(async () => {
    h = await startHarness();
    s = await loginInject(h, USER);
  });
  after(async () => {
    await h?.close();
  });

  const hold = (headers: Record<string, string>) => h.app.inject({ method: 'POST', url: '/api/actions/hold', headers: { host: 'bot.test:8080', ...headers }, payload: {} });

  it('refuses a session request without the token, with a wrong one, from another origin or another site', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['no token', { cookie: s.cookie }],
      ['wrong token', { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(32) }],
      ['another port', { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'http://bot.test:9999' }],
      ['a sibling subdomain', { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'http://evil.bot.test:8080' }],
      ['Origin null', { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'null' }],
      ['Sec-Fetch-Site same-site', { cookie: s.cookie, 'x-csrf-token': s.csrf, 'sec-fetch-site': 'same-site' }],
      ['Sec-Fetch-Site cross-site', { cookie: s.cookie, 'x-csrf-token': s.csrf, 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [what, headers] of cases) {
      const r = await hold(headers);
      assert.equal(r.statusCode, 403, what);
      assert.equal(r.json().error.code, 'FORBIDDEN', what);
    }
    assert.equal(h.pipeline.snapshot().hold, null);
  });

  it('accepts the same request from its own origin with the token', async () => {
    const r = await hold({ cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'http://bot.test:8080', 'sec-fetch-site': 'same-origin' });
    assert.equal(r.statusCode, 200, r.body);
    await h.pipeline.resume({ kind: 'person', id: 't' }, 'undo');
  });

  it('API-token requests need no CSRF token (no cookie authorises them)', async () => {
    const r = await hold({ authorization: `Bearer ${API_TOKEN}`, origin: 'http://elsewhere.test' });
    assert.equal(r.statusCode, 200);
    await h.pipeline.resume({ kind: 'person', id: 't' }, 'undo');
  });

  it('the JSON API takes no form bodies at all, and a cross-origin login form is refused', async () => {
    const form = await hold({ cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.statusCode, 415);
    const login = await h.app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.test', host: 'bot.test' }, payload: `name=${USER.name}&password=${encodeURIComponent(USER.password)}` });
    assert.equal(login.statusCode, 403);
    assert.equal(login.headers['set-cookie'], undefined);
  });
});
