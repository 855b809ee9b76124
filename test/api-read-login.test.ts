import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeployEvent } from '../src/domain/events.js';
import type { CheckChart } from '../src/monitor/chart.js';
import { API_TOKEN, startHarness, type Harness } from './api-harness.js';

const EVENT: DeployEvent = {
  id: 'ev1',
  buildId: 'b1',
  stage: 'canary',
  environment: 'commercial',
  status: 'open',
  severity: 'red',
  confidence: 'high',
  openedAt: 1000,
  updatedAt: 2000,
  signals: [],
  summary: 'errors up in canary only',
};

const CHART: CheckChart = { check: 'errors', series: [{ labels: { tier: 'canary' }, inScope: true, timestamps: [1, 2], values: [1, 9] }] };

describe('read pages and APIs with requireLoginForRead on', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ui: { requireLoginForRead: true, trustedUserHeader: 'X-Forwarded-User', trustedProxies: ['127.0.0.1/32'] }, charts: { chartsForEvent: async () => [CHART] } });
    await h.store.upsertEvent(EVENT);
  });
  after(async () => {
    await h.close();
  });

  for (const url of ['/api/pipeline', '/api/builds', '/api/events', '/api/events/ev1', '/api/history', '/api/decisions', '/api/stream', '/metrics']) {
    it(`refuses ${url} without login`, async () => {
      const r = await h.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().error.code, 'UNAUTHORIZED');
    });
  }

  it('redirects pages to the login form, keeping where the user was going', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/events/ev1' });
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/login?next=%2Fevents%2Fev1');
    const login = await h.app.inject({ method: 'GET', url: '/login' });
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /<form/);
  });

  it('keeps /healthz open', async () => {
    assert.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });

  it('lets a token holder read, including the event with its charts', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/events/ev1', headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().event.severity, 'red');
    assert.deepEqual(r.json().charts, [CHART]);
    const list = await h.app.inject({ method: 'GET', url: '/api/events?status=open', headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.deepEqual(list.json().events.map((e: DeployEvent) => e.id), ['ev1']);
  });

  it('trusts the SSO proxy header as the user, for reads and actions', async () => {
    const headers = { 'x-forwarded-user': 'bob@example.com' };
    const page = await h.app.inject({ method: 'GET', url: '/', headers });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    const me = (await h.app.inject({ method: 'GET', url: '/api/me', headers })).json();
    assert.deepEqual([me.user, me.via, me.sso], ['bob@example.com', 'header', true]);
    const hold = await h.app.inject({ method: 'POST', url: '/api/actions/hold', headers: { ...headers, 'x-csrf-token': me.csrfToken }, payload: { reason: 'sso' } });
    assert.equal(hold.statusCode, 200);
    const audit = await h.store.listAudit({ limit: 1 });
    assert.equal(audit[0].actor, 'header:bob@example.com');
  });

  it('answers an unknown event with 404', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/events/nope', headers: { authorization: `Bearer ${API_TOKEN}` } });
    assert.equal(r.statusCode, 404);
  });

  it('rejects a login redirect to another site', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/login', payload: 'name=alice&password=correct+horse+battery&next=//evil.example.com', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.headers.location, '/');
  });
});

describe('read pages and APIs with requireLoginForRead off', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('serves pages and read APIs without login, but still refuses actions', async () => {
    assert.equal((await h.app.inject({ method: 'GET', url: '/' })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/pipeline' })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/events' })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/actions/stop', payload: {} })).statusCode, 401);
    // Without a trusted header configured, the header means nothing.
    const r = await h.app.inject({ method: 'POST', url: '/api/actions/stop', headers: { 'x-forwarded-user': 'mallory' }, payload: {} });
    assert.equal(r.statusCode, 401);
  });

  it('serves uPlot and the UI scripts as static files, and nothing else', async () => {
    const u = await h.app.inject({ method: 'GET', url: '/static/uPlot.iife.min.js' });
    assert.equal(u.statusCode, 200);
    assert.match(String(u.headers['content-type']), /javascript/);
    assert.equal((await h.app.inject({ method: 'GET', url: '/static/..%2F..%2Fpackage.json' })).statusCode, 404);
  });
});
