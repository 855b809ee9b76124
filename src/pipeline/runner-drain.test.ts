import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import type { Build } from '../domain/build.js';
import type { StageDef } from '../domain/pipeline.js';
import { createStore } from '../store/create.js';
import type { Store } from '../store/store.js';
import type { Deployer, DeployRequest } from './deployer.js';
import { PipelineRunner } from './runner.js';

const S = 1000;
const stage = (name: string): StageDef => ({ name, environment: 'commercial', tier: name, azs: ['az1'], percent: 100, bakeSeconds: 10 });
const STAGES = [stage('staging'), stage('prod')];
const build: Build = { id: 'b1', sha: 'a'.repeat(40), createdAt: '2024-05-01T10:00:00Z', receivedAt: '2024-05-01T10:00:01Z', pullRequests: [] };

/** A deployer whose steps end only when the test says so (or when aborted). */
class GatedDeployer implements Deployer {
  readonly started: Array<{ req: DeployRequest; signal?: AbortSignal; finish: () => void }> = [];
  private waiters: Array<() => void> = [];
  deploy(req: DeployRequest, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new Error('aborted')));
      this.started.push({ req, signal, finish: resolve });
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async waitForStart(n: number): Promise<void> {
    while (this.started.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
}

function runner(store: Store, clock: ManualClock, deployer: Deployer, lines: string[] = []): PipelineRunner {
  return new PipelineRunner({ store, deployer, clock, stages: STAGES, retry: { retries: 0, backoffSeconds: 1 }, log: (l) => lines.push(l), tickMs: S });
}

/** 'settled' when `p` settles within a few event-loop turns. */
async function state(p: Promise<unknown>): Promise<'settled' | 'pending'> {
  return Promise.race([p.then(() => 'settled' as const, () => 'settled' as const), new Promise<'pending'>((r) => setTimeout(() => r('pending'), 50))]);
}

/** A runner on a fresh store whose first deploy step (b1 to staging) is running. */
async function stepRunning(): Promise<{ store: Store; clock: ManualClock; deployer: GatedDeployer; r: PipelineRunner }> {
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock(0);
  const deployer = new GatedDeployer();
  const r = runner(store, clock, deployer);
  await r.start({ loop: false });
  await r.submitBuild(build);
  await deployer.waitForStart(1);
  return { store, clock, deployer, r };
}

describe('PipelineRunner.close with a drain time', () => {
  it('lets a running deploy step finish and records its success, then stops', async () => {
    const { store, clock, deployer, r } = await stepRunning();
    const closing = r.close({ drainMs: 60 * S });
    assert.equal(await state(closing), 'pending', 'waits for the step in flight');
    assert.equal(deployer.started[0].signal?.aborted, false, 'the step is not aborted while it drains');
    deployer.started[0].finish();
    const summary = await closing;
    assert.deepEqual(summary, { finished: [deployer.started[0].req.key], handedOver: [] });
    const [step] = await store.listSteps();
    assert.equal(step.outcome, 'succeeded', 'the drained step is recorded');
    assert.equal(Object.keys(r.snapshot().inflight).length, 0);
    await assert.rejects(r.tick(), /closed/, 'takes no more work');
    await store.close();
  });

  it('hands a step that outlasts the drain time over to the next start, which performs it again', async () => {
    const { store, clock, deployer, r } = await stepRunning();
    const closing = r.close({ drainMs: 5 * S });
    assert.equal(await state(closing), 'pending');
    await clock.advance(5 * S);
    const key = deployer.started[0].req.key;
    assert.deepEqual(await closing, { finished: [], handedOver: [key] });
    assert.equal(deployer.started[0].signal?.aborted, true, 'aborted at the end of the drain time');
    const [step] = await store.listSteps();
    assert.equal(step.outcome, undefined, 'nothing recorded for a handed-over step');

    const next = new GatedDeployer();
    const again = runner(store, clock, next);
    await again.start({ loop: false });
    await next.waitForStart(1);
    assert.equal(next.started[0].req.key, key, 'the next start performs the same step under the same key');
    next.started[0].finish();
    await again.close({ drainMs: S });
    await store.close();
  });

  it('closes at once when nothing runs, and its tick loop wakes from its sleep', async () => {
    const store = await createStore('sqlite::memory:');
    const clock = new ManualClock(0);
    const r = runner(store, clock, new GatedDeployer());
    await r.start({ loop: true });
    assert.deepEqual(await r.close({ drainMs: 60 * S }), { finished: [], handedOver: [] });
    await store.close();
  });
});
