import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markCrashingBuild, scheduleBackendOutage } from '../sim/faults.js';
import { SHORT_SIM_STAGES, SimRig } from './sim-rig.js';

/** The promotion gate end to end over the simulated fleet and backend, on a manual clock. */

const MIN = 60_000;
const DAY = Date.parse('2026-03-10T00:00:00Z');
const STAGES = SHORT_SIM_STAGES;

const rig = (seed: number) => SimRig.create({ seed, start: DAY + 10 * 60 * MIN, config: { pipeline: { tick: '5s', stages: STAGES } } });
const kinds = async (r: SimRig, kind: string) => (await r.store.listDecisions({ limit: 1000 })).filter((d) => d.kind === kind);

test('a healthy build is promoted on gate passes, each promotion linked to its stored evidence', async () => {
  const r = await rig(201);
  try {
    await r.submit('good1');
    await r.advanceTo(r.clock.now() + 20 * MIN);
    assert.equal(r.runner.snapshot().builds.good1.status, 'completed');
    const moves = [...(await kinds(r, 'promote')).filter((d) => !/entered the first stage/.test(d.reason)), ...(await kinds(r, 'complete'))];
    assert.equal(moves.length, 3);
    for (const d of moves) {
      const id = String(d.evidence?.gateId);
      const g = await r.store.getGateRecord(id);
      assert.ok(g, `${d.kind} ${d.stage} names a stored gate record (${id})`);
      assert.equal(g.verdict, 'pass');
      assert.ok(g.evaluatedAt >= g.bakeEndedAt!, 'evaluated after the bake ended');
      assert.equal(g.checks.length, r.config.checks.length);
      for (const c of g.checks) {
        assert.ok(c.inScopeSeries > 0 && c.samplesSinceDeploy > 0, `${c.check}: ${c.reason}`);
        assert.ok(c.newestSampleAgeMs !== null && c.newestSampleAgeMs <= c.stalenessBoundMs);
      }
    }
  } finally {
    await r.close();
  }
});

test('a build whose canary goes dark is stopped by a dark signal and rolled back, never promoted', async () => {
  const r = await rig(202);
  try {
    markCrashingBuild(r.fleet, 'dark1');
    await r.submit('dark1');
    await r.advanceTo(r.clock.now() + 15 * MIN);
    assert.equal(r.runner.snapshot().builds.dark1.status, 'tainted');
    assert.deepEqual((await kinds(r, 'promote')).filter((d) => d.stage !== 'canary'), [], 'never left canary');
    const [event] = await r.store.listEvents({ buildId: 'dark1' });
    assert.ok(event.signals.some((s) => s.verdict.rule === 'dark' && /went dark after the deploy/.test(s.verdict.reason)), event.summary);
    assert.equal(event.confidence, 'high');
  } finally {
    await r.close();
  }
});

test('a metrics outage at the end of the bake: no promotion while down, no rollback, promotion once data returns', async () => {
  const r = await rig(203);
  try {
    await r.submit('good2');
    await r.advanceTo(r.clock.now() + 30_000);
    const bakeEnd = r.runner.snapshot().slots[0].bakeUntil!;
    const down = { start: bakeEnd - 8_000, end: bakeEnd + 4 * MIN };
    scheduleBackendOutage(r.source, down.start, down.end);
    await r.advanceTo(down.end + 2 * MIN);
    const promotions = (await kinds(r, 'promote')).filter((d) => d.stage === 'prod-10');
    assert.equal(promotions.length, 1, 'promoted after the outage');
    assert.ok(promotions[0].at >= down.end, `promoted at ${new Date(promotions[0].at).toISOString()}, outage ended ${new Date(down.end).toISOString()}`);
    assert.deepEqual(await kinds(r, 'rollback'), []);
    const gates = await r.store.listGateRecords({ buildId: 'good2' });
    const blind = gates.filter((g) => g.stage === 'canary' && g.verdict === 'inconclusive');
    assert.ok(blind.length > 0 && /metrics backend did not answer/.test(blind[0].reason), blind[0]?.reason);
    assert.ok(blind.every((g) => g.evaluatedAt >= down.start && g.evaluatedAt < down.end));
  } finally {
    await r.close();
  }
});
