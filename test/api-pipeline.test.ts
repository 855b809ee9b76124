import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { API_TOKEN, buildPayload, startHarness, type Harness } from './api-harness.js';

const auth = { authorization: `Bearer ${API_TOKEN}` };

async function submit(h: Harness, id: string): Promise<void> {
  const r = await h.app.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload(id) });
  assert.equal(r.statusCode, 201, r.body);
}

describe('pipeline view, actions, audit, history', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await submit(h, 'b1');
    await h.advance(1000);
  });
  after(async () => {
    await h.close();
  });

  it('shows every stage grouped per environment, in order, with the build and bake progress', async () => {
    await h.advance(30_000);
    const v = (await h.app.inject({ method: 'GET', url: '/api/pipeline' })).json();
    assert.deepEqual(v.environments.map((e: { name: string }) => e.name), ['commercial', 'gov']);
    assert.deepEqual(v.environments[0].stages.map((s: { name: string }) => s.name), ['staging', 'canary']);
    const staging = v.environments[0].stages[0];
    assert.equal(staging.buildId, 'b1');
    assert.equal(staging.phase, 'baking');
    assert.ok(staging.bakeProgress > 0.3 && staging.bakeProgress < 0.7, `bake progress ${staging.bakeProgress}`);
    assert.equal(v.builds.b1.prCount, 1);
    assert.equal(v.hold, null);
  });

  it('moves the build on after its bake and queues newer builds', async () => {
    await h.advance(61_000);
    await submit(h, 'b2');
    await submit(h, 'b3');
    const v = (await h.app.inject({ method: 'GET', url: '/api/pipeline' })).json();
    const occupants = v.environments.flatMap((e: { stages: Array<{ name: string; buildId: string | null }> }) => e.stages.map((s) => [s.name, s.buildId]));
    assert.deepEqual(Object.fromEntries(occupants).canary, 'b1');
    assert.ok(v.queue.length + (Object.fromEntries(occupants).staging ? 1 : 0) >= 1);
  });

  it('refuses actions without login (401) and audits the refusal', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/actions/hold', payload: { reason: 'anon' } });
    assert.equal(r.statusCode, 401);
    assert.equal(h.pipeline.snapshot().hold, null);
    const audit = await h.store.listAudit({ limit: 1 });
    assert.equal(audit[0].action, 'hold');
    assert.equal(audit[0].allowed, false);
    assert.equal(audit[0].actor, 'anonymous');
  });

  it('holds and resumes with a token, each audited and in the decision log', async () => {
    const held = await h.app.inject({ method: 'POST', url: '/api/actions/hold', headers: auth, payload: { reason: 'looking at graphs' } });
    assert.equal(held.statusCode, 200, held.body);
    const v = (await h.app.inject({ method: 'GET', url: '/api/pipeline' })).json();
    assert.equal(v.hold.kind, 'hold');
    assert.equal(v.hold.reason, 'looking at graphs');
    assert.deepEqual(v.hold.actor, { kind: 'person', id: 'api-token#1' });
    const resumed = await h.app.inject({ method: 'POST', url: '/api/actions/resume', headers: auth, payload: {} });
    assert.equal(resumed.statusCode, 200);
    assert.equal(h.pipeline.snapshot().hold, null);
    const audit = await h.store.listAudit({ limit: 2 });
    assert.deepEqual(audit.map((a) => [a.action, a.allowed, a.actor]), [
      ['resume', true, 'token:api-token#1'],
      ['hold', true, 'token:api-token#1'],
    ]);
    const d = (await h.app.inject({ method: 'GET', url: '/api/decisions' })).json().decisions;
    assert.ok(d.some((x: { kind: string; actor: { kind: string } }) => x.kind === 'hold' && x.actor.kind === 'person'));
  });

  it('validates action bodies (400 naming the field) and unknown builds (404)', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/actions/rollback', headers: auth, payload: { reason: 'x' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /buildId/);
    const unknown = await h.app.inject({ method: 'POST', url: '/api/actions/rollback', headers: auth, payload: { buildId: 'zzz' } });
    assert.equal(unknown.statusCode, 404);
  });

  it('rolls back with a logged-in session, audited, and the build is tainted', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/login', payload: 'name=alice&password=correct+horse+battery&next=%2Fbuilds%2Fb1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/builds/b1');
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const session = cookie.split(';')[0];
    const me = (await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: session } })).json();
    assert.equal(me.user, 'alice');
    assert.equal(typeof me.csrfToken, 'string');
    // State-changing requests with a session cookie carry the session's CSRF token.
    const headers = { cookie: session, 'x-csrf-token': me.csrfToken };
    const r = await h.app.inject({ method: 'POST', url: '/api/actions/rollback', headers, payload: { buildId: 'b1', reason: 'errors up' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().rolledBack, true);
    await h.advance(1000);
    assert.ok(['tainted', 'rolled_back'].includes(h.pipeline.snapshot().builds.b1.status));
    const audit = await h.store.listAudit({ limit: 1 });
    assert.deepEqual([audit[0].action, audit[0].target, audit[0].actor, audit[0].allowed], ['rollback', 'b1', 'session:alice', true]);
    const again = await h.app.inject({ method: 'POST', url: '/api/actions/rollback', headers, payload: { buildId: 'b1' } });
    assert.equal(again.json().rolledBack, false, 'asking twice rolls back once');
  });

  it('refuses a wrong password and a forged cookie', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/login', payload: 'name=alice&password=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(login.statusCode, 303);
    assert.match(String(login.headers.location), /^\/login\?error=1/);
    assert.equal(login.headers['set-cookie'], undefined);
    const forged = Buffer.from(JSON.stringify({ u: 'alice', exp: 9e15 })).toString('base64url') + '.AAAA';
    const r = await h.app.inject({ method: 'POST', url: '/api/actions/hold', headers: { cookie: `rb_session=${forged}` }, payload: {} });
    assert.equal(r.statusCode, 401);
  });

  it('reports history: outcome, duration, number of PRs, bot vs human decisions', async () => {
    const v = (await h.app.inject({ method: 'GET', url: '/api/history' })).json();
    const b1 = v.deploys.find((d: { buildId: string }) => d.buildId === 'b1');
    assert.ok(['tainted', 'rolled_back'].includes(b1.outcome), b1.outcome);
    assert.equal(b1.prCount, 1);
    assert.ok(b1.durationMs > 0);
    assert.ok(v.decisions.totals.bot > 0);
    assert.ok(v.decisions.totals.human >= 3, 'hold, resume, rollback by people');
    const sum = v.decisions.buckets.reduce((n: number, b: { human: number }) => n + b.human, 0);
    assert.equal(sum, v.decisions.totals.human);
  });

  it('pushes a snapshot over SSE on connect and after a transition', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as { port: number }).port;
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/stream' }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          chunks.push(c);
          const all = chunks.join('');
          if ((all.match(/event: snapshot/g) ?? []).length === 1 && !all.includes('hold-from-test')) {
            void h.pipeline.hold({ kind: 'person', id: 't' }, 'hold-from-test');
          }
          if (all.includes('"reason":"hold-from-test"') && all.includes(': heartbeat')) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (e) => (e.message.includes('aborted') ? resolve() : reject(e)));
      req.end();
    });
    const all = chunks.join('');
    assert.ok((all.match(/event: snapshot/g) ?? []).length >= 2);
  });
});
