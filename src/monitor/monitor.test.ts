import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimRig } from './sim-rig.js';

/** Monitor + PipelineRunner + simulated deployer + fleet + SimulatedSource + SQLite memory store, on a manual clock. */

const MIN = 60_000;
// A Tuesday; the fleet has history for every earlier day (it is a pure function of time).
const DAY = Date.parse('2026-03-10T00:00:00Z');
const STAGES = [
  { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '10m' },
  { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bake: '5m' },
  { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '5m' },
];

async function rig(seed: number, startHour: number, extra: Record<string, unknown> = {}): Promise<SimRig> {
  return SimRig.create({ seed, start: DAY + startHour * 60 * MIN, config: { pipeline: { tick: '5s', stages: STAGES }, ...extra } });
}

async function decisions(r: SimRig, kind: string) {
  return (await r.store.listDecisions({ limit: 1000 })).filter((d) => d.kind === kind);
}

test('a bad build in canary is rolled back automatically before production', async () => {
  const r = await rig(101, 10);
  try {
    r.fleet.markBadBuild('bad1', { factor: 5, metrics: ['http_errors_rate', 'http_latency_p95_ms'] });
    await r.submit('bad1');
    await r.advanceTo(r.clock.now() + 20 * MIN);
    const rollbacks = await decisions(r, 'rollback');
    assert.equal(rollbacks.length, 1);
    assert.equal(rollbacks[0].actor.id, 'monitor');
    assert.equal(rollbacks[0].buildId, 'bad1');
    const evidence = rollbacks[0].evidence as { severity: string; confidence: string; series: Array<{ check: string; z: number }> };
    assert.equal(evidence.severity, 'fire');
    assert.equal(evidence.confidence, 'high');
    assert.ok(evidence.series.length >= 2 && evidence.series.every((s) => typeof s.z === 'number'));
    assert.equal(r.runner.snapshot().builds.bad1.status, 'tainted');
    const prodSteps = r.steps.filter((s) => s.request.kind === 'deploy' && s.request.tier === 'production');
    assert.deepEqual(prodSteps, [], 'never deployed to production');
    const exposed = r.steps.find((s) => s.request.kind === 'deploy')!.at;
    const back = r.steps.find((s) => s.request.kind === 'rollback')!.at;
    assert.ok(back - exposed <= 5 * MIN, `rolled back ${(back - exposed) / MIN} min after exposure`);
    const events = await r.store.listEvents({});
    assert.equal(events[0].action, 'rollback');
    const charts = await r.monitor.chartsForEvent(events[0].id);
    assert.ok(charts.length >= 2, 'one chart per breaching check');
    for (const c of charts) {
      assert.ok(c.series.some((s) => s.inScope) && c.series.some((s) => !s.inScope));
      assert.ok(c.baseline && c.baseline.upper[0] > c.baseline.mean[0] && c.baseline.lower[0] < c.baseline.mean[0]);
      assert.equal(c.deployAt, events[0].deployAt);
      assert.ok(c.breachAt! >= c.deployAt!);
    }
    const notes = r.notes.filter((n) => n.type === 'event');
    assert.ok(notes.length >= 1);
    assert.equal(new Set(notes.map((n) => n.key)).size, notes.length, 'notification keys are unique per revision');
    assert.ok(r.notes.some((n) => n.type === 'page' && n.action === 'trigger'));
  } finally {
    await r.close();
  }
});

test('an outside incident everywhere does not roll back a good build (low confidence)', async () => {
  const r = await rig(102, 10);
  try {
    await r.submit('good1');
    const t0 = r.clock.now();
    r.fleet.addIncident({ start: t0 + 3 * MIN, end: t0 + 13 * MIN, metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 4 });
    await r.advanceTo(t0 + 40 * MIN);
    assert.deepEqual(await decisions(r, 'rollback'), []);
    assert.deepEqual(await decisions(r, 'stop'), []);
    const s = r.runner.snapshot();
    assert.notEqual(s.builds.good1.status, 'tainted');
    const events = await r.store.listEvents({});
    assert.ok(events.length >= 1, 'the incident is seen');
    for (const e of events) {
      assert.equal(e.confidence, 'low', `${e.id}: ${e.summary}`);
      assert.notEqual(e.action, 'rollback');
    }
  } finally {
    await r.close();
  }
});

test('the daily 14:00 spike raises at most a white signal', async () => {
  const r = await rig(103, 13.75, {
    checks: [
      { name: 'error_rate', query: 'http_errors_rate', direction: 'up', detector: { minVolume: 0.5 } },
      { name: 'latency_p95', query: 'http_latency_p95_ms', direction: 'up', static: 100, dynamic: 'seasonal' },
      { name: 'request_rate', query: 'http_requests_rate', direction: 'both' },
    ],
  });
  try {
    await r.submit('good2');
    await r.advanceTo(DAY + 14.6 * 60 * MIN);
    const events = await r.store.listEvents({});
    for (const e of events) assert.equal(e.severity, 'white', `${e.id}: ${e.summary}`);
    assert.equal(r.runner.snapshot().builds.good2.status, 'completed');
  } finally {
    await r.close();
  }
});

test('shadow mode: the bad build is judged the same, nothing is rolled back, the log says what would have been', async () => {
  const r = await rig(104, 10, { policy: { shadow: true } });
  try {
    r.fleet.markBadBuild('bad2', { factor: 5, metrics: ['http_errors_rate', 'http_latency_p95_ms'] });
    await r.submit('bad2');
    await r.advanceTo(r.clock.now() + 15 * MIN);
    assert.deepEqual(await decisions(r, 'rollback'), []);
    // Nothing stops it, so it is judged again in every stage it reaches.
    const would = await decisions(r, 'would_rollback');
    assert.ok(would.length >= 1);
    for (const d of would) {
      assert.equal(d.buildId, 'bad2');
      assert.match(d.reason, /^would have rolled back/);
    }
    const shadowNotes = r.notes.filter((n) => n.type === 'event' && n.shadow && n.wouldDo?.startsWith('would have rolled back'));
    assert.ok(shadowNotes.length >= 1);
    assert.equal(r.notes.some((n) => n.type === 'page'), false, 'shadow mode pages nobody');
  } finally {
    await r.close();
  }
});

test('missing data blocks promotion, then holds the pipeline, never rolls back', async () => {
  const r = await rig(105, 10);
  try {
    await r.submit('good3');
    const t0 = r.clock.now();
    r.source.scheduleFault({ kind: 'backend_down', start: t0 + 2 * MIN, end: t0 + 30 * MIN });
    await r.advanceTo(t0 + 4 * MIN);
    const canary = r.runner.snapshot().slots[0];
    assert.equal(canary.buildId, 'good3');
    assert.match(canary.blocks['monitor:nodata:error_rate'] ?? '', /^no data for check error_rate/);
    await r.advanceTo(t0 + 20 * MIN);
    const s = r.runner.snapshot();
    assert.equal(s.slots[0].buildId, 'good3', 'not promoted without data');
    assert.match(s.hold?.reason ?? '', /no data for check/);
    assert.deepEqual(await decisions(r, 'rollback'), []);
    await r.advanceTo(t0 + 45 * MIN);
    assert.equal(r.runner.snapshot().hold, null, 'the hold lifts when data is back');
  } finally {
    await r.close();
  }
});

test('the monitor lifts its own stop once the build it stopped for is rolled back by a person', async () => {
  const r = await rig(106, 10, { policy: { stop: ['blue', 'red', 'siren', 'fire'], rollback: [] } });
  try {
    r.fleet.markBadBuild('bad3', { factor: 5, metrics: ['http_errors_rate', 'http_latency_p95_ms'] });
    await r.submit('bad3');
    await r.advanceTo(r.clock.now() + 12 * MIN);
    const hold = r.runner.snapshot().hold;
    assert.equal(hold?.kind, 'stop');
    assert.equal(hold?.actor.id, 'monitor');
    assert.equal(await r.runner.rollback('bad3', { kind: 'person', id: 'U1' }, 'looked at the graphs'), true);
    await r.advanceTo(r.clock.now() + 2 * MIN);
    assert.equal(r.runner.snapshot().hold, null);
    const resumes = await decisions(r, 'resume');
    assert.match(resumes.at(-1)!.reason, /build bad3 that event \S+ stopped the pipeline for was rolled back/);
  } finally {
    await r.close();
  }
});
