import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { flaky } from '../../test/support/flaky-store.js';
import { ManualClock } from '../clock/clock.js';
import type { Build } from '../domain/build.js';
import type { StageDef } from '../domain/pipeline.js';
import { createStore } from '../store/create.js';
import type { Store } from '../store/store.js';
import { PipelineRunner } from './runner.js';
import { SimulatedDeployer } from './simulated-deployer.js';
import { initialState } from './step.js';

const S = 1000;
const stage = (name: string): StageDef => ({ name, environment: 'commercial', tier: name, azs: ['az1'], percent: 10, bakeSeconds: 0 });
const STAGES = [stage('staging'), stage('prod')];
const RETRY = { retries: 1, backoffSeconds: 1 };
const person = { kind: 'person' as const, id: 'U7' };
const build = (id: string): Build => ({ id, sha: id.padEnd(40, '0'), createdAt: '2024-05-01T10:00:00Z', receivedAt: '2024-05-01T10:00:01Z', pullRequests: [] });

const tempDb = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'rb-faults-')), 'state.db')}`;

function runner(store: Store, clock: ManualClock, stepSeconds = 2) {
  const deployer = new SimulatedDeployer({ clock, stepSeconds });
  const r = new PipelineRunner({ store, deployer, clock, stages: STAGES, retry: RETRY });
  return { r, deployer };
}

async function drive(r: PipelineRunner, clock: ManualClock, ms: number): Promise<void> {
  for (const end = clock.now() + ms; clock.now() < end; ) {
    await clock.advance(S);
    await r.settle();
    await r.tick().catch(() => undefined);
    await r.settle();
  }
}

describe('PipelineRunner under store faults (regressions)', () => {
  it('writes a decision and its state together: a failed state write leaves no phantom decision and no reused id', async () => {
    const url = tempDb();
    const store = await createStore(url);
    const clock = new ManualClock(0);
    const { r } = runner(store, clock);
    await r.start({ loop: false });
    await r.submitBuild(build('b1'));
    // Another writer moves the stored version: the stop's state write must fail, and with it the decision.
    const saved = (await store.loadState())!;
    await store.saveState(saved.state, saved.version);
    await assert.rejects(r.stop(person, 'freeze'), /version conflict/);
    assert.deepEqual((await store.listDecisions()).filter((d) => d.kind === 'stop'), [], 'no phantom stop in the log');
    await r.close();

    const again = runner(store, clock);
    await again.r.start({ loop: false });
    await again.r.stop(person, 'freeze, for real');
    const log = await store.listDecisions();
    assert.deepEqual(log.filter((d) => d.kind === 'stop').map((d) => d.reason), ['freeze, for real'], 'the real stop is stored, not dropped as a duplicate id');
    assert.equal(new Set(log.map((d) => d.id)).size, log.length);
    assert.equal(again.r.snapshot().hold?.kind, 'stop');
    await again.r.close();
    await store.close();
  });

  it('runs a step once when a restart finds a stored build the state never saw', async () => {
    const store = await createStore(tempDb());
    const clock = new ManualClock(0);
    const first = runner(store, clock, 30);
    await first.r.start({ loop: false });
    await first.r.submitBuild(build('b1'));
    await drive(first.r, clock, 31 * S);
    assert.equal(first.r.snapshot().slots[1].phase, 'deploying', 'b1 deploys to prod; staging is free');
    await first.r.close();
    // The process died between putBuild and the transition of b2.
    await store.putBuild(build('b2'));
    const second = runner(store, clock, 30);
    await second.r.start({ loop: false });
    await second.r.settle();
    const keys = second.deployer.calls.map((c) => c.key);
    assert.deepEqual(keys, [...new Set(keys)], `each key runs once: ${keys.join(', ')}`);
    await second.r.close();
    await store.close();
  });

  it('does not queue a re-posted build again after the state pruned it', async () => {
    const store = await createStore(tempDb());
    await store.saveState({ ...initialState(STAGES, RETRY), keepFinished: 1 }, 0);
    const clock = new ManualClock(0);
    const { r } = runner(store, clock, 0);
    await r.start({ loop: false });
    for (const id of ['b1', 'b2', 'b3']) {
      await r.submitBuild(build(id));
      await drive(r, clock, 5 * S);
    }
    assert.equal(r.snapshot().builds.b1, undefined, 'b1 was pruned from the state');
    assert.equal(await r.submitBuild(build('b1')), 'exists');
    await drive(r, clock, 5 * S);
    const enqueues = (await store.listDecisions({ buildId: 'b1' })).filter((d) => d.kind === 'enqueue');
    assert.equal(enqueues.length, 1, 'b1 is not queued (and deployed) again');
    assert.equal(r.snapshot().builds.b1, undefined);
    await r.close();
    await store.close();
  });

  it('keeps a step result through a store outage and records it when the store is back', async () => {
    const f = flaky(await createStore(tempDb()));
    const clock = new ManualClock(0);
    const { r } = runner(f.store, clock, 2);
    await r.start({ loop: false });
    await r.submitBuild(build('b1'));
    f.down = true;
    await drive(r, clock, 13 * S);
    assert.equal(r.snapshot().slots[0].phase, 'deploying', 'nothing is recorded while the store is down');
    const status = r.status();
    assert.equal(status.store.ok, false);
    assert.match(status.store.error!, /STORE_FAILED|store unavailable/);
    assert.equal(status.pendingResults, 1, 'the finished step waits in memory');
    await assert.rejects(r.hold(person, 'x'), (e: Error & { code?: string }) => e.code === 'STORE_FAILED');
    f.down = false;
    await drive(r, clock, 2 * S);
    assert.equal(r.status().store.ok, true);
    assert.equal(r.status().pendingResults, 0);
    assert.notEqual(r.snapshot().slots[0].phase, 'deploying', 'the kept result moved the stage on');
    assert.ok((await f.store.listDecisions()).some((d) => d.kind === 'promote' && d.stage === 'prod'));
    await r.close();
    await f.store.close();
  });
});
