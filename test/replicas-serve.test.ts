/**
 * Two real `releasebot serve` processes on one PostgreSQL store: the leader is killed with `kill -9`
 * in the middle of the pipeline; the follower takes over within the lease TTL and finishes every
 * build; no step key runs in two processes at once.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PipelineState } from '../src/pipeline/state.js';
import { createStore } from '../src/store/create.js';
import { freshSchema, needPostgres } from './support/pg-schema.js';
import { currentLeader, kill9, ledSince, postBuild, replicaConfig, startReplica, until, type ServeReplica } from './support/serve-replicas.js';

const NAME = 'two serve replicas on PostgreSQL: kill -9 of the leader';
const LEASE_S = 3;

if (await needPostgres(NAME)) {
  describe(NAME, () => {
    let schema: Awaited<ReturnType<typeof freshSchema>>;
    const replicas: ServeReplica[] = [];
    before(async () => {
      schema = await freshSchema();
    });
    after(async () => {
      for (const r of replicas) await kill9(r);
      await schema.drop();
    });

    it('the follower takes over within the lease TTL and finishes the pipeline', { timeout: 120_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rb-replicas-'));
      const stepLog = join(dir, 'steps.log');
      const file = replicaConfig(dir, { storeUrl: schema.url(), stepLog, leaseSeconds: LEASE_S, stages: 3, bakeSeconds: 0.3, stepSeconds: 0.6 });
      replicas.push(startReplica('a', file, dir), startReplica('b', file, dir));
      await until(() => replicas.every((r) => r.url) && currentLeader(replicas), 60_000, 'both listening and one leading');
      const leader = currentLeader(replicas)!;
      const follower = replicas.find((r) => r !== leader)!;
      for (const id of ['r1', 'r2', 'r3']) assert.equal(await postBuild(follower, id), 201, `${id} accepted by the follower`);
      // Kill the leader while a step runs.
      await until(() => existsSync(stepLog) && readFileSync(stepLog, 'utf8').includes('start'), 20_000, 'a step running');
      await kill9(leader);
      const killedAt = Date.now();
      const tookOver = await until(() => ledSince(follower, killedAt), 20_000, 'the follower leading');
      assert.ok(tookOver - killedAt <= LEASE_S * 1000 + 500, `failover ${(tookOver - killedAt) / 1000} s within the ${LEASE_S} s lease`);

      const store = await createStore(schema.url());
      try {
        const finished = (s: PipelineState | undefined, id: string) => ['completed', 'superseded'].includes(s?.builds[id]?.status ?? '');
        const state = await until(async () => {
          const s = (await store.loadState())?.state as PipelineState | undefined;
          return ['r1', 'r2', 'r3'].every((id) => finished(s, id)) && s;
        }, 60_000, 'every build finished');
        assert.equal(state.builds.r3.status, 'completed', 'the newest build reached the last stage');
        const ready = (await (await fetch(`${follower.url}/readyz`)).json()) as { role: string };
        assert.equal(ready.role, 'leader');
      } finally {
        await store.close();
      }
      // No key ran in two processes at once: each start is followed by its end before the next start of that key.
      const open = new Map<string, number>();
      let overlaps = 0;
      for (const line of readFileSync(stepLog, 'utf8').trim().split('\n')) {
        const [what, key] = line.split(' ');
        const n = open.get(key) ?? 0;
        if (what === 'start' && n > 0) overlaps++;
        open.set(key, what === 'start' ? n + 1 : Math.max(0, n - 1));
      }
      assert.equal(overlaps, 0, 'no overlapping runs of one key');
    });
  });
}
