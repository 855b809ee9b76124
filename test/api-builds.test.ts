import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_TOKEN, buildPayload, startHarness, type Harness } from './api-harness.js';

const auth = { authorization: `Bearer ${API_TOKEN}` };

describe('POST /api/builds and GET /api/builds/:id', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('refuses a missing token with 401 and a WWW-Authenticate header', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/builds', payload: buildPayload('b1') });
    assert.equal(r.statusCode, 401);
    assert.match(r.headers['www-authenticate'] as string, /Bearer/);
    assert.equal(r.json().error.code, 'UNAUTHORIZED');
    assert.match(r.json().error.message, /missing API token/);
  });

  it('refuses a wrong token with 401', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/builds', headers: { authorization: 'Bearer not-the-token-at-all' }, payload: buildPayload('b1') });
    assert.equal(r.statusCode, 401);
    assert.match(r.json().error.message, /invalid API token/);
    assert.equal(await h.store.getBuild('b1'), undefined, 'nothing stored for an unauthenticated call');
  });

  it('answers a malformed payload with 400 naming the field path', async () => {
    const bad = buildPayload('b1', {
      pullRequests: [{ number: 7, url: 'https://git.example.com/pr/7', authorName: 'Ada', codeOwners: [] }],
    });
    const r = await h.app.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: bad });
    assert.equal(r.statusCode, 400);
    const body = r.json();
    assert.equal(body.error.code, 'BAD_REQUEST');
    assert.match(body.error.message, /pullRequests\.0\.title/);
    assert.deepEqual(
      body.error.details.issues.map((i: { path: string }) => i.path),
      ['pullRequests.0.title'],
    );
  });

  it('names each bad field: sha, createdAt, unknown keys', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('b1', { sha: 'zzz', createdAt: 'yesterday', colour: 'red' }) });
    assert.equal(r.statusCode, 400);
    const paths = r.json().error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['(root)', 'createdAt', 'sha']);
    assert.match(r.json().error.message, /colour/);
  });

  it('answers malformed JSON with 400', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/builds', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"id": ' });
    assert.equal(r.statusCode, 400);
  });

  it('creates a build with 201, then answers 200 for the same id (idempotent)', async () => {
    const first = await h.app.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('b1') });
    assert.equal(first.statusCode, 201);
    assert.deepEqual(first.json(), { id: 'b1', result: 'created' });
    const again = await h.app.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('b1') });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().result, 'exists');
    const all = await h.store.listBuilds();
    assert.equal(all.filter((b) => b.id === 'b1').length, 1);
  });

  it('returns the build with its state, steps and decisions', async () => {
    await h.advance(1000);
    const r = await h.app.inject({ method: 'GET', url: '/api/builds/b1' });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.build.id, 'b1');
    assert.equal(body.build.pullRequests[0].title, 'Fix the thing');
    assert.equal(body.build.receivedAt, '2024-05-01T10:00:00.000Z', 'receivedAt comes from the injected clock');
    assert.equal(body.state.status, 'in_pipeline');
    assert.ok(body.steps.length >= 1, 'a deploy step to the first stage was traced');
    assert.equal(body.steps[0].stage, 'staging');
    assert.ok(body.decisions.some((d: { kind: string }) => d.kind === 'promote' || d.kind === 'enqueue'));
  });

  it('answers an unknown build with 404 naming it', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/builds/nope' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error.code, 'NOT_FOUND');
    assert.match(r.json().error.message, /nope/);
  });

  it('lists builds newest first with their state', async () => {
    await h.app.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('b2') });
    const r = await h.app.inject({ method: 'GET', url: '/api/builds?limit=10' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json().builds.map((b: { id: string }) => b.id), ['b2', 'b1']);
    const bad = await h.app.inject({ method: 'GET', url: '/api/builds?limit=0' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /limit/);
  });

  it('counts received builds in /metrics', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /releasebot_builds_received_total\{result="created"\} 2/);
    assert.match(r.body, /releasebot_builds_received_total\{result="exists"\} 1/);
    assert.match(r.body, /releasebot_pipeline_stage_occupied\{stage="staging",environment="commercial",phase="[a-z_]+"\} 1/);
    assert.match(r.body, /releasebot_decisions\{kind="[a-z_]+",actor="bot"\} \d+/);
  });

  it('answers /healthz', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().ok, true);
    assert.equal(r.json().stages, 3);
  });
});
