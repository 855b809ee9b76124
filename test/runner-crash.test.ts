/**
 * Crash injection: the n-th store call fails and the process "dies" there (the runner is dropped
 * without recording anything more), for every n of an uninterrupted run; a new runner restarts from
 * the store and the run continues (CI re-posts a build whose POST failed). Each run must end like the
 * uninterrupted one: the same decisions (kind, build, stage, in order), none lost or invented, unique
 * ids, and no deploy key performed twice except once across the crash (the documented at-least-once).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../src/clock/clock.js';
import type { Build } from '../src/domain/build.js';
import type { StageDef } from '../src/domain/pipeline.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { SimulatedDeployer } from '../src/pipeline/simulated-deployer.js';
import { createStore } from '../src/store/create.js';
import { flaky } from './support/flaky-store.js';

const stage = (name: string): StageDef => ({ name, environment: 'e', tier: name, azs: ['a'], percent: 10, bakeSeconds: 2 });
const STAGES = [stage('staging'), stage('prod')];
const build = (id: string): Build => ({ id, sha: id.padEnd(40, '0'), createdAt: '2024-05-01T10:00:00Z', receivedAt: '2024-05-01T10:00:01Z', pullRequests: [] });
const ARRIVALS: Record<number, string> = { 0: 'b1', 12: 'b2', 24: 'b3' };
const END_S = 44;
/** A person's hold and resume, each clicked once (not repeated when it fails). */
const PERSON = { kind: 'person' as const, id: 'U1' };
const ACTIONS: Record<number, 'hold' | 'resume'> = { 38: 'hold', 39: 'resume' };

interface Outcome {
  decisions: string[];
  /** The person's actions that were refused (the store failed under them). */
  refused: string[];
  ids: string[];
  performed: Map<string, number>;
  crashes: number;
}

async function yieldMany(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/** One run; `failCall` makes that store call fail and the process die there. */
async function run(failCall: number | undefined): Promise<Outcome & { calls: number }> {
  // In memory: the store object outlives the "process" (the runner), as a database outlives the bot.
  const f = flaky(await createStore('sqlite::memory:'));
  const clock = new ManualClock(0);
  const performed = new Map<string, number>();
  let crashed = false;
  let crashes = 0;
  const calls0 = () => f.calls.length;
  const boot = async (): Promise<PipelineRunner> => {
    const deployer = new SimulatedDeployer({ clock, stepSeconds: 1 });
    const r = new PipelineRunner({ store: f.store, deployer, clock, stages: STAGES, retry: { retries: 1, backoffSeconds: 1 } });
    const inner = deployer.deploy.bind(deployer);
    deployer.deploy = (req, signal) => {
      performed.set(req.key, (performed.get(req.key) ?? 0) + 1);
      return inner(req, signal);
    };
    await r.start({ loop: false });
    return r;
  };
  // The injected failure is the process dying at that await.
  const failing = { left: failCall };
  const realCalls = f.calls;
  f.calls = new Proxy(realCalls, {
    get(target, prop, receiver) {
      if (prop === 'push') {
        return (...xs: string[]) => {
          if (failing.left !== undefined && --failing.left === 0) {
            f.failCall = 1;
            failing.left = undefined;
            crashed = true;
          }
          return target.push(...xs);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  let runner = await boot().catch(() => undefined);
  const pending: string[] = [];
  const refused: string[] = [];
  for (let t = 0; t <= END_S || crashed; t++) {
    if (ARRIVALS[t]) pending.push(ARRIVALS[t]);
    if (crashed || !runner) {
      await runner?.close();
      crashed = false;
      crashes++;
      f.failCall = undefined;
      runner = await boot();
    }
    // CI posts (and re-posts after a failed POST) its builds.
    while (pending.length && !crashed) {
      if (await runner.submitBuild(build(pending[0])).then(() => true, () => false)) pending.shift();
      else break;
    }
    if (crashed) {
      t--;
      continue;
    }
    const action = ACTIONS[t];
    if (action) {
      const done = await runner[action](PERSON, action).then(() => true, () => false);
      if (!done) refused.push(action);
    }
    await clock.advance(1000);
    await yieldMany();
    await runner.tick().catch(() => undefined);
    await yieldMany();
  }
  await runner!.close();
  failing.left = undefined;
  f.failCall = undefined;
  const log = await f.store.listDecisions();
  await f.store.close();
  return {
    decisions: log.map((d) => `${d.kind} ${d.buildId ?? '-'} ${d.stage ?? '-'}${d.actor.kind === 'person' ? ' by a person' : ''}`),
    refused,
    ids: log.map((d) => d.id),
    performed,
    crashes,
    calls: calls0(),
  };
}

describe('PipelineRunner: a crash at every store call', () => {
  it('ends like an uninterrupted run: no decision lost or invented, no key run twice without a crash', async () => {
    const ref = await run(undefined);
    assert.ok(ref.decisions.filter((d) => d.startsWith('complete')).length === 3, `reference run completes all builds: ${ref.decisions.join(' | ')}`);
    for (const [key, n] of ref.performed) assert.equal(n, 1, `uninterrupted: ${key} runs once`);
    console.log(`# crash injection: ${ref.calls} store calls in the uninterrupted run`);
    let crashedRuns = 0;
    for (let n = 1; n <= ref.calls; n++) {
      const r = await run(n);
      crashedRuns += r.crashes > 0 ? 1 : 0;
      // A refused click leaves no trace; everything else is as in the uninterrupted run.
      const expected = ref.decisions.filter((d) => !r.refused.some((a) => d === `${a} - - by a person`));
      assert.deepEqual(r.decisions, expected, `crash at store call ${n} (refused: ${r.refused.join(', ') || 'none'}): same decisions`);
      assert.equal(new Set(r.ids).size, r.ids.length, `crash at store call ${n}: unique decision ids`);
      for (const [key, times] of r.performed) assert.ok(times <= 1 + r.crashes, `crash at store call ${n}: ${key} ran ${times} times`);
    }
    assert.ok(crashedRuns > ref.calls / 2, `most runs crashed somewhere (${crashedRuns} of ${ref.calls})`);
  });
});
