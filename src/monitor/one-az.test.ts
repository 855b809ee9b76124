import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimRig } from './sim-rig.js';

/**
 * A build that hurts one AZ only (it breaks on something one AZ has), over the simulated fleet: the
 * stage's other AZs stay normal, so "two in-scope series at once" never holds; a large, lasting
 * change on the one series must still stop it. An outage of one AZ, seen by every tier there, must not.
 */

const MIN = 60_000;
const DAY = Date.parse('2026-03-10T00:00:00Z');
const STAGES = [
  { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '8m' },
  { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bake: '5m' },
  { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '5m' },
];
const rig = (seed: number) => SimRig.create({ seed, start: DAY + 10 * 60 * MIN + 7 * MIN, config: { pipeline: { tick: '5s', stages: STAGES } } });
const decisions = async (r: SimRig, kind: string) => (await r.store.listDecisions({ limit: 1000 })).filter((d) => d.kind === kind);
const production = (r: SimRig, id: string) => r.steps.filter((s) => s.request.kind === 'deploy' && s.request.buildId === id && s.request.tier === 'production');

for (const [what, effect] of [
  ['p95 x2', { metrics: ['http_latency_p95_ms' as const], factor: 2 }],
  ['requests x0.4', { metrics: ['http_requests_rate' as const], factor: 0.4 }],
] as const) {
  test(`a build that makes one AZ's ${what} is rolled back at canary, before production`, async () => {
    const r = await rig(401);
    try {
      r.fleet.markBadBuild('az2bad', { ...effect, metrics: [...effect.metrics], azs: ['az2'] });
      await r.submit('az2bad');
      const t0 = r.clock.now();
      await r.advanceTo(t0 + 30 * MIN);
      const events = await r.store.listEvents({ buildId: 'az2bad' });
      assert.equal(r.runner.snapshot().builds.az2bad.status, 'tainted', events.map((e) => `${e.stage} ${e.severity}/${e.confidence} ${e.action}: ${e.summary}`).join(' | ') || 'no event');
      assert.deepEqual(production(r, 'az2bad'), [], 'never reached production');
      const [rollback] = await decisions(r, 'rollback');
      assert.equal(rollback.stage, 'canary');
      assert.match(rollback.reason, /1 in-scope series/);
    } finally {
      await r.close();
    }
  });
}

test('an outage of one AZ (every tier there) during a good build\'s bake does not roll it back', async () => {
  const r = await rig(402);
  try {
    await r.submit('good1');
    const t0 = r.clock.now();
    r.fleet.addIncident({ start: t0 + 3 * MIN, end: t0 + 18 * MIN, metrics: ['http_latency_p95_ms', 'http_errors_rate'], factor: 3, scope: { az: 'az2' } });
    await r.advanceTo(t0 + 45 * MIN);
    assert.deepEqual(await decisions(r, 'rollback'), [], (await r.store.listEvents({})).map((e) => `${e.stage} ${e.severity}/${e.confidence} ${e.action}: ${e.summary}`).join(' | '));
    assert.notEqual(r.runner.snapshot().builds.good1.status, 'tainted');
  } finally {
    await r.close();
  }
});

test('a 30-second blip on one AZ\'s series is not a build that hurts it', async () => {
  const r = await rig(403);
  try {
    await r.submit('good2');
    const t0 = r.clock.now();
    r.fleet.addIncident({ start: t0 + 3 * MIN, end: t0 + 3 * MIN + 30_000, metrics: ['http_latency_p95_ms'], factor: 3, scope: { tier: 'canary', az: 'az2' } });
    await r.advanceTo(t0 + 30 * MIN);
    assert.deepEqual(await decisions(r, 'rollback'), []);
    assert.equal(r.runner.snapshot().builds.good2.status, 'completed');
  } finally {
    await r.close();
  }
});
