/**
 * Two replicas on one PostgreSQL store: a lease with a fencing token elects one leader; when it
 * stops renewing (killed), the other takes over within the lease TTL and continues the pipeline
 * from the stored state; the old leader's writes are refused from then on; a build stored by either
 * replica is taken up by the leader.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock/clock.js';
import type { Build } from '../src/domain/build.js';
import { LeaderElector } from '../src/leader/leader-elector.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { SimulatedDeployer } from '../src/pipeline/simulated-deployer.js';
import { createStore } from '../src/store/create.js';
import type { Fence, Store } from '../src/store/store.js';
import { TEST_STAGES } from './api-harness.js';
import { freshSchema, needPostgres } from './support/pg-schema.js';

const NAME = 'two replicas on PostgreSQL: lease, fencing and failover';
const build = (id: string): Build => ({ id, sha: id.padEnd(40, '0'), createdAt: '2024-05-01T10:00:00Z', receivedAt: '2024-05-01T10:00:01Z', pullRequests: [] });

interface Replica {
  store: Store;
  elector: LeaderElector;
  runner?: PipelineRunner;
}

if (await needPostgres(NAME)) {
  describe(NAME, () => {
    let schema: Awaited<ReturnType<typeof freshSchema>>;
    const clock = new ManualClock(1_000_000);
    const replicas: Replica[] = [];

    const replica = async (holder: string): Promise<Replica> => {
      const store = await createStore(schema.url());
      const r: Replica = { store } as Replica;
      r.elector = new LeaderElector({
        store, holder, clock, ttlMs: 15_000,
        onElected: async (fence: Fence) => {
          r.runner = new PipelineRunner({ store, deployer: new SimulatedDeployer({ clock, stepSeconds: 0 }), clock, stages: TEST_STAGES, retry: { retries: 1, backoffSeconds: 1 }, fence: () => fence, sharedStore: true });
          await r.runner.start({ loop: false });
        },
        onDeposed: async () => {
          await r.runner?.close();
          r.runner = undefined;
        },
      });
      replicas.push(r);
      return r;
    };

    before(async () => {
      schema = await freshSchema();
    });
    after(async () => {
      for (const r of replicas) {
        await r.runner?.close();
        await r.store.close();
      }
      await schema.drop();
    });

    it('elects one leader, fails over within the TTL, fences the old leader and takes up builds stored anywhere', async () => {
      const a = await replica('replica-a');
      const b = await replica('replica-b');
      await a.elector.round();
      await b.elector.round();
      assert.equal(a.elector.isLeader(), true);
      assert.equal(b.elector.isLeader(), false, 'exactly one leader');

      // A build posted to the follower (b) is stored there and taken up by the leader.
      await b.store.putBuild(build('b1'));
      await a.runner!.tick();
      assert.ok(a.runner!.snapshot().builds.b1, 'the leader took up the build stored by the follower');

      // a is killed: it stops renewing. b takes over once the lease expired, within the TTL of a's last renewal.
      const oldRunner = a.runner!;
      const killedAt = clock.now();
      let tookOverAt: number | undefined;
      for (let s = 1; s <= 20 && tookOverAt === undefined; s++) {
        await clock.advance(1000);
        await b.elector.round();
        if (b.elector.isLeader()) tookOverAt = clock.now();
      }
      assert.ok(tookOverAt !== undefined, 'b took over');
      assert.ok(tookOverAt - killedAt <= 16_000, `failover within the 15 s TTL (+1 s round): ${(tookOverAt - killedAt) / 1000} s`);
      assert.ok(b.runner!.snapshot().builds.b1, 'the new leader continues from the stored state');

      // The old leader, paused rather than dead, wakes up: its writes are refused.
      await assert.rejects(oldRunner.hold({ kind: 'person', id: 'U1' }, 'late'), /no longer the leader/);
      assert.equal((await b.store.listDecisions()).filter((d) => d.kind === 'hold').length, 0, 'nothing of the fenced write was stored');
      await b.runner!.hold({ kind: 'person', id: 'U1' }, 'by the new leader');
      assert.equal((await a.store.listDecisions()).filter((d) => d.kind === 'hold').length, 1);
      await oldRunner.close();
    });
  });
}
