/**
 * `npm run bench:chaos [-- --json --builds 12 --kills 6 --lease 15 --only replicas]`: kill -9 at random moments
 * during a pipelined run with the command deployer, on SQLite, on PostgreSQL (a PipelineRunner
 * process, bench/chaos-bot.ts; builds are stored as they arrive), and with two real `releasebot
 * serve` replicas on PostgreSQL (bench/chaos-replicas.ts: builds POSTed to either, the leader
 * killed). A killed process is restarted at once. Counts, all of which must be 0: lost builds (never
 * taken in), stuck builds (not finished 60 s after the last one arrived), duplicate keys (a step key
 * started twice with no kill in between) and overlapping runs (two processes running one key at
 * once). Replicas also report the longest failover (kill to the other replica leading), which must
 * be within the lease TTL (`--lease`, default 15 s) plus 0.5 s to notice.
 * Needs PostgreSQL at RELEASEBOT_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test);
 * without it the two PostgreSQL runs are reported as skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Build } from '../src/domain/build.js';
import type { PipelineState } from '../src/pipeline/state.js';
import { createStore } from '../src/store/create.js';
import { freshSchema, pgUnreachable } from '../test/support/pg-schema.js';
import { replicasTrial } from './chaos-replicas.js';
import { stepChecks } from './chaos-steps.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const BUILDS = arg('builds', 12);
const KILLS = arg('kills', 6);
const LEASE = arg('lease', 15);
const json = process.argv.includes('--json');
/** `--only sqlite|postgres|replicas`: run one case. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const build = (id: string): Build => ({ id, sha: id.padEnd(40, '0'), createdAt: new Date().toISOString(), receivedAt: new Date().toISOString(), pullRequests: [] });

interface Bot {
  proc: ChildProcess;
}

function startBot(url: string, dir: string): Bot {
  const args = ['--import', 'tsx', 'bench/chaos-bot.ts', url, join(dir, 'steps.log'), join(dir, 'ledger')];
  return { proc: spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] }) };
}

async function kill9(bot: Bot): Promise<void> {
  if (bot.proc.exitCode !== null) return;
  const exited = new Promise((r) => bot.proc.once('exit', r));
  bot.proc.kill('SIGKILL');
  await exited;
}

/** One bot process, killed at random moments and restarted at once; CI's builds go straight into the store. */
async function trial(url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-chaos-'));
  const store = await createStore(url);
  let bot = startBot(url, dir);
  const kills: bigint[] = [];
  const t0 = Date.now();
  const ids = Array.from({ length: BUILDS }, (_, i) => `c${i + 1}`);
  let posted = 0;
  let nextKill = Date.now() + 1500 + Math.random() * 2000;
  while (posted < ids.length || kills.length < KILLS) {
    if (posted < ids.length) await store.putBuild(build(ids[posted++]));
    await sleep(700);
    if (Date.now() < nextKill || kills.length >= KILLS) continue;
    await kill9(bot);
    kills.push(nowNs());
    bot = startBot(url, dir);
    nextKill = Date.now() + 1500 + Math.random() * 2500;
  }
  // Let everything finish.
  const finished = (s: PipelineState | undefined, id: string) => ['completed', 'superseded', 'tainted'].includes(s?.builds[id]?.status ?? '');
  let state: PipelineState | undefined;
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(500)) {
    state = (await store.loadState())?.state as PipelineState | undefined;
    if (ids.every((id) => finished(state, id))) break;
  }
  await kill9(bot);
  await sleep(1200); // steps still running finish and log their end
  const decisions = await store.listDecisions();
  await store.close();
  const lost = ids.filter((id) => !state?.builds[id] && !decisions.some((d) => d.buildId === id)).length;
  const stuck = ids.filter((id) => state?.builds[id] && !finished(state, id)).length;
  return { builds: BUILDS, kills: kills.length, lost, stuck, ...stepChecks(join(dir, 'steps.log'), kills), seconds: Math.round((Date.now() - t0) / 1000) };
}

const out: Record<string, unknown> = {};
if (!only || only === 'sqlite') out.sqlite = await trial(`sqlite:${join(mkdtempSync(join(tmpdir(), 'rb-chaos-db-')), 'rb.db')}`);
const pgDown = await pgUnreachable();
for (const [name, replicas] of [['postgres', false], ['replicas', true]] as const) {
  if (only && only !== name) continue;
  if (pgDown) {
    out[name] = { skipped: pgDown };
    continue;
  }
  const schema = await freshSchema();
  try {
    out[name] = replicas ? await replicasTrial(schema.url(), { builds: BUILDS, kills: KILLS, leaseSeconds: LEASE }) : await trial(schema.url());
  } finally {
    await schema.drop();
  }
}
if (json) console.log(JSON.stringify(out));
else console.log(JSON.stringify(out, null, 2));
const bad = Object.values(out).some((r) => {
  const x = r as Record<string, number>;
  return (x.lost ?? 0) + (x.stuck ?? 0) + (x.duplicateKeys ?? 0) + (x.overlappingRuns ?? 0) > 0 || (x.longestFailoverSeconds ?? 0) > LEASE + 0.5;
});
process.exit(bad ? 1 : 0);
