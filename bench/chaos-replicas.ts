/**
 * The replicas case of `npm run bench:chaos`: two real `releasebot serve` processes on one
 * PostgreSQL store (test/support/serve-replicas.ts), CI posting builds to either, and `kill -9` of
 * whichever leads at random moments (restarted at once, as a supervisor would). Reports the longest
 * failover (kill to the other replica leading) and the same counts as the other cases.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineState } from '../src/pipeline/state.js';
import { createStore } from '../src/store/create.js';
import { currentLeader, kill9, ledSince, postBuild, replicaConfig, startReplica, until, type ServeReplica } from '../test/support/serve-replicas.js';
import { stepChecks } from './chaos-steps.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const live = (r: ServeReplica) => r.child.exitCode === null && r.child.signalCode === null && r.url !== undefined;

export async function replicasTrial(url: string, o: { builds: number; kills: number; leaseSeconds: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-chaos-replicas-'));
  const stepLog = join(dir, 'steps.log');
  const file = replicaConfig(dir, { storeUrl: url, stepLog, leaseSeconds: o.leaseSeconds, stages: 3, bakeSeconds: 0.3, stepSeconds: 'random' });
  const rs = [startReplica('a', file, dir), startReplica('b', file, dir)];
  const t0 = Date.now();
  await until(() => rs.every(live) && currentLeader(rs), 60_000, 'two replicas listening, one leading');
  const ids = Array.from({ length: o.builds }, (_, i) => `r${i + 1}`);
  const kills: bigint[] = [];
  const failovers: number[] = [];
  let posted = 0;
  let nextKill = Date.now() + 2000 + Math.random() * 3000;
  while (posted < ids.length || kills.length < o.kills) {
    if (posted < ids.length) {
      // CI posts to either replica (a load balancer) and retries on the other when one does not answer.
      const order = Math.random() < 0.5 ? [rs[0], rs[1]] : [rs[1], rs[0]];
      for (const r of order) {
        const status = live(r) ? await postBuild(r, ids[posted]) : 0;
        if (status === 200 || status === 201) {
          posted++;
          break;
        }
      }
    }
    await sleep(700);
    if (Date.now() < nextKill || kills.length >= o.kills) continue;
    const leader = currentLeader(rs);
    if (!leader || !rs.every(live)) continue;
    await kill9(leader);
    const killedAt = Date.now();
    kills.push(nowNs());
    const i = rs.indexOf(leader);
    rs[i] = startReplica(leader.name, file, dir);
    const at = await until(() => rs.map((r) => ledSince(r, killedAt)).find((x) => x !== undefined), 60_000, 'a new leader').catch(() => undefined);
    failovers.push(at === undefined ? Infinity : (at - killedAt) / 1000);
    await until(() => rs.every(live), 60_000, 'the killed replica back').catch(() => undefined);
    nextKill = Date.now() + 1000 + Math.random() * 4000;
  }
  const store = await createStore(url);
  const finished = (s: PipelineState | undefined, id: string) => ['completed', 'superseded', 'tainted'].includes(s?.builds[id]?.status ?? '');
  let state: PipelineState | undefined;
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(500)) {
    state = (await store.loadState())?.state as PipelineState | undefined;
    if (ids.every((id) => finished(state, id))) break;
  }
  for (const r of rs) await kill9(r);
  await sleep(1200); // steps still running finish and log their end
  const decisions = await store.listDecisions();
  await store.close();
  const lost = ids.filter((id) => !state?.builds[id] && !decisions.some((d) => d.buildId === id)).length;
  const stuck = ids.filter((id) => state?.builds[id] && !finished(state, id)).length;
  return {
    builds: o.builds, kills: kills.length, lost, stuck, ...stepChecks(stepLog, kills),
    leaseSeconds: o.leaseSeconds, longestFailoverSeconds: Math.max(0, ...failovers), failoverSeconds: failovers.map((f) => Math.round(f * 100) / 100),
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}
