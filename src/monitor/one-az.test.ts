import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimRig } from './sim-rig.js';
import { oneAzReference } from './one-az.js';

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
    const events = await r.store.listEvents({});
    const said = events.map((e) => `${e.stage} ${e.severity}/${e.confidence} ${e.action}: ${e.summary}`).join(' | ');
    assert.deepEqual(await decisions(r, 'rollback'), [], said);
    assert.notEqual(r.runner.snapshot().builds.good1.status, 'tainted');
    // The outage is seen, and called what it is: the AZ's other tiers show it too (low confidence,
    // no rollback offered for the build, no escalation).
    assert.ok(events.length >= 1, 'the outage is seen');
    assert.ok(events.every((e) => e.confidence === 'low' && e.action !== 'offer_rollback' && !e.escalated), said);
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

test('oneAzReference: breaches all in one AZ take that AZ\'s reference counts when most of them deviate; else the whole group\'s', () => {
  const ref = (az: string, deviates: boolean) => ({ series: { labels: { az }, timestamps: [], values: [] }, anomaly: { kind: deviates ? 'breach' : 'pass', rule: 'default', reason: '' } as const });
  const refs = [ref('az1', false), ref('az1', false), ref('az2', true), ref('az2', true), ref('az2', false), ref('az3', false)];
  // A stand-in for countReference: every series counts, a breach deviates.
  const count = (list: ReadonlyArray<{ anomaly: { kind: string } }>) => ({ series: list.length, breaching: list.filter((r) => r.anomaly.kind === 'breach').length });
  const all = count(refs);
  const at = (...azs: string[]) => azs.map((az) => ({ labels: { az } }));
  assert.deepEqual(oneAzReference(at('az2'), refs, all, 'az', count), { series: 3, breaching: 2 }, 'az2 is out: its own series say so');
  assert.deepEqual(oneAzReference(at('az2', 'az2'), refs, all, 'az', count), { series: 3, breaching: 2 });
  assert.equal(oneAzReference(at('az1'), refs, all, 'az', count), all, 'az1 is normal elsewhere: the whole group answers');
  assert.equal(oneAzReference(at('az1', 'az2'), refs, all, 'az', count), all, 'two AZs: the whole group');
  assert.equal(oneAzReference([{ labels: {} }], refs, all, 'az', count), all, 'no az label: the whole group');
  assert.equal(oneAzReference(at('az9'), refs, all, 'az', count), all, 'no reference series there');
});

test('an outage of the one AZ a prod-10 deploy runs in, where every other cell of that AZ already runs the build, does not roll it back', async () => {
  // One environment, staging in az1 only: production 10% (az1) has no reference series in az1; the
  // earlier stages' az1 cells run the build and have for minutes, so a change there now is not this deploy.
  const stages = [
    { name: 'staging', environment: 'commercial', tier: 'staging', azs: ['az1'], percent: 100, bake: '3m' },
    { name: 'dogfood', environment: 'commercial', tier: 'dogfood', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '3m' },
    { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '3m' },
    { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bake: '8m' },
    { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '3m' },
  ];
  const r = await SimRig.create({ seed: 404, start: DAY + 10 * 60 * MIN + 7 * MIN, fleet: { environments: ['commercial'] }, config: { pipeline: { tick: '5s', stages } } });
  try {
    await r.submit('good3');
    const t0 = r.clock.now();
    await r.advanceTo(t0 + 13 * MIN);
    const prod10 = r.steps.find((s) => s.request.kind === 'deploy' && s.request.tier === 'production');
    assert.ok(prod10, 'reached prod-10');
    r.fleet.addIncident({ start: r.clock.now() + MIN, end: r.clock.now() + 16 * MIN, metrics: ['http_latency_p95_ms', 'http_errors_rate'], factor: 4, scope: { az: 'az1' } });
    await r.advanceTo(t0 + 45 * MIN);
    const events = await r.store.listEvents({ buildId: 'good3' });
    const said = events.map((e) => `${e.stage} ${e.severity}/${e.confidence} ${e.action}: ${e.summary}`).join(' | ');
    assert.deepEqual(await decisions(r, 'rollback'), [], said);
    assert.ok(events.some((e) => e.stage === 'prod-10'), `the outage is seen: ${said}`);
    assert.ok(events.every((e) => e.confidence === 'low' && e.action !== 'offer_rollback'), said);
  } finally {
    await r.close();
  }
});

test('oneAzReference: with no reference series in the AZ (every other cell there runs the build), the cells that ran it before this deploy speak for the AZ', () => {
  const ref = (az: string, deviates: boolean) => ({ series: { labels: { az }, timestamps: [], values: [] }, anomaly: { kind: deviates ? 'breach' : 'pass', rule: 'default', reason: '' } as const });
  const count = (list: ReadonlyArray<{ anomaly: { kind: string } }>) => ({ series: list.length, breaching: list.filter((r) => r.anomaly.kind === 'breach').length });
  // prod-10 runs in az1 only; the reference group is az2 and az3, normal; staging, dogfood and canary in az1 run the build already.
  const refs = [ref('az2', false), ref('az2', false), ref('az3', false), ref('az3', false)];
  const all = count(refs);
  const exposed = [ref('az1', true), ref('az1', true), ref('az1', false)];
  assert.deepEqual(oneAzReference([{ labels: { az: 'az1' } }], refs, all, 'az', count, (az) => exposed.filter((r) => r.series.labels.az === az)), { series: 3, breaching: 2 }, 'an outage of az1: its cells that already ran the build moved at the same moment');
  assert.equal(oneAzReference([{ labels: { az: 'az1' } }], refs, all, 'az', count, () => [ref('az1', false), ref('az1', false)]), all, 'they did not: the whole group answers');
});
