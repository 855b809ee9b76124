import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PipelineRunner } from '../src/pipeline/runner.js';
import { API_TOKEN, buildPayload, startHarness, type Harness } from './api-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const get = async (url: string) => {
  const r = await h.app.inject({ method: 'GET', url });
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.body, json: () => JSON.parse(r.body) as Record<string, unknown> };
};

test('the view models: stage health per lane, the status strip, the timeline, events with headlines; a favicon', async () => {
  const post = await h.app.inject({ method: 'POST', url: '/api/builds', headers: { authorization: `Bearer ${API_TOKEN}` }, payload: buildPayload('b1') });
  assert.equal(post.statusCode, 201);
  await h.advance(15_000);
  const stage = (await h.store.loadState())!.state as { slots: Array<{ stage: string; buildId: string | null }> };
  const where = stage.slots.find((s) => s.buildId === 'b1')!.stage;
  const now = h.clock.now();
  await h.store.upsertEvent({
    id: 'ev-1', buildId: 'b1', stage: where, environment: 'commercial', status: 'open', severity: 'blue', confidence: 'high', openedAt: now, updatedAt: now, summary: 'raw detector words',
    signals: [{ check: 'error_rate', labels: { az: 'az1' }, inScope: true, at: now, verdict: { kind: 'breach', rule: 'zscore', reason: 'r', value: 4.2, mean: 1, z: 12, threshold: 3 }, reference: { series: 23, breaching: 0 } }],
  });
  // As the monitor does: its event blocks the stage.
  await (h.pipeline as unknown as PipelineRunner).observe({ type: 'block', stage: where, source: 'monitor:event:ev-1', reason: 'event ev-1: raw' });

  const view = (await get('/api/pipeline')).json() as { environments: Array<{ stages: Array<{ name: string; health: { state: string; href?: string; label: string } }> }>; status: { openEvents: { total: number }; banner: { text: string } } };
  const lane = view.environments.flatMap((e) => e.stages).find((s) => s.name === where)!;
  assert.equal(lane.health.state, 'blocked');
  assert.equal(lane.health.href, '/events/ev-1');
  assert.equal(view.status.openEvents.total, 1);
  assert.equal(view.status.banner.text, `Blocked: ${where} waits on a blue event`);

  const status = (await get('/api/status')).json() as { suspects: string[] };
  assert.deepEqual(status.suspects, ['b1']);
  const tl = (await get('/api/timeline?hours=24')).json() as { steps: unknown[]; events: Array<{ id: string }> };
  assert.ok(tl.steps.length >= 1, 'the deploy step is on the timeline');
  assert.deepEqual(tl.events.map((e) => e.id), ['ev-1']);
  assert.equal((await get('/api/timeline?hours=0')).status, 400, 'a bad span is refused, naming the field');

  const ev = (await get('/api/events/ev-1')).json() as { event: { headline: string; verdicts: Array<{ check: string }> } };
  assert.match(ev.event.headline, /^Error rate in \S+ az1 is 4\.2x its usual level; the other 23 series are normal: the deploy very likely caused it\.$/);
  assert.deepEqual(ev.event.verdicts.map((v) => v.check), ['error_rate']);

  const icon = await get('/favicon.ico');
  assert.equal(icon.status, 200);
  assert.match(icon.type, /image\/svg\+xml/);
});
