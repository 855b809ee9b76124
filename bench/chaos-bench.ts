/**
 * `npm run bench:chaos [-- --json --builds 12 --kills 6]`: kill -9 at random moments during a
 * pipelined run with the command deployer, on SQLite, on PostgreSQL, and with two replicas on
 * PostgreSQL (the leader is killed; the other takes over). CI's builds are stored as they arrive
 * (a POST to any replica); a killed bot is restarted at once. Counts, all of which must be 0:
 * lost builds (never taken in), stuck builds (not finished 60 s after the last one arrived),
 * duplicate keys (a step key started twice with no kill in between) and overlapping runs (two
 * processes running one key at once). Replicas also report the longest failover (kill to the other
 * replica leading), which must be within the lease TTL (15 s) plus one renewal round.
 * Needs PostgreSQL at RELEASEBOT_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test);
 * without it the two PostgreSQL runs are reported as skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Build } from '../src/domain/build.js';
import type { PipelineState } from '../src/pipeline/state.js';
import { createStore } from '../src/store/create.js';
import { freshSchema, pgUnreachable } from '../test/support/pg-schema.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const BUILDS = arg('builds', 12);
const KILLS = arg('kills', 6);
const json = process.argv.includes('--json');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const build = (id: string): Build => ({ id, sha: id.padEnd(40, '0'), createdAt: new Date().toISOString(), receivedAt: new Date().toISOString(), pullRequests: [] });

interface Bot {
  id: string;
  proc: ChildProcess;
  out: string[];
}

function startBot(url: string, dir: string, id: string, replica: boolean): Bot {
  const args = ['--import', 'tsx', 'bench/chaos-bot.ts', url, join(dir, 'steps.log'), join(dir, 'ledger'), ...(replica ? ['--replica', id] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const bot: Bot = { id, proc, out: [] };
  proc.stdout!.on('data', (d: Buffer) => bot.out.push(...d.toString().trim().split('\n')));
  return bot;
}

async function kill9(bot: Bot): Promise<void> {
  if (bot.proc.exitCode !== null) return;
  const exited = new Promise((r) => bot.proc.once('exit', r));
  bot.proc.kill('SIGKILL');
  await exited;
}

/** When a replica other than `not` last announced it leads, after `since` (ms), or undefined. */
function electedAfter(bots: Bot[], since: number, not: string): number | undefined {
  for (const b of bots) {
    if (b.id === not) continue;
    for (const line of b.out) {
      const [at, word] = line.split(' ');
      if (word === 'elected' && Number(at) >= since) return Number(at);
    }
  }
  return undefined;
}

function leaderOf(bots: Bot[]): Bot | undefined {
  let best: { bot: Bot; at: number } | undefined;
  for (const b of bots) for (const line of b.out) if (line.split(' ')[1] === 'elected' && (!best || Number(line.split(' ')[0]) > best.at)) best = { bot: b, at: Number(line.split(' ')[0]) };
  return best?.bot;
}

async function trial(url: string, replicas: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'rb-chaos-'));
  const store = await createStore(url);
  const bots = replicas ? [startBot(url, dir, 'replica-a', true), startBot(url, dir, 'replica-b', true)] : [startBot(url, dir, 'bot', false)];
  const kills: bigint[] = [];
  const failovers: number[] = [];
  const t0 = Date.now();
  const ids = Array.from({ length: BUILDS }, (_, i) => `c${i + 1}`);
  let posted = 0;
  let nextKill = Date.now() + 1500 + Math.random() * 2000;
  while (posted < ids.length || kills.length < KILLS) {
    if (posted < ids.length) await store.putBuild(build(ids[posted++]));
    await sleep(700);
    if (Date.now() < nextKill || kills.length >= KILLS) continue;
    const victim = replicas ? leaderOf(bots) : bots[0];
    if (!victim) continue;
    await kill9(victim);
    const killedAt = Date.now();
    kills.push(nowNs());
    const i = bots.indexOf(victim);
    bots[i] = startBot(url, dir, victim.id, replicas);
    if (replicas) {
      let at: number | undefined;
      for (let w = 0; w < 400 && at === undefined; w++, await sleep(100)) at = electedAfter(bots, killedAt, '');
      failovers.push(at === undefined ? Infinity : (at - killedAt) / 1000);
    }
    nextKill = Date.now() + 1500 + Math.random() * 2500;
  }
  // Let everything finish.
  const finished = (s: PipelineState | undefined, id: string) => ['completed', 'superseded', 'tainted'].includes(s?.builds[id]?.status ?? '');
  let state: PipelineState | undefined;
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(500)) {
    state = (await store.loadState())?.state as PipelineState | undefined;
    if (ids.every((id) => finished(state, id))) break;
  }
  for (const b of bots) await kill9(b);
  await sleep(1200); // steps still running finish and log their end
  const decisions = await store.listDecisions();
  await store.close();
  const lost = ids.filter((id) => !state?.builds[id] && !decisions.some((d) => d.buildId === id)).length;
  const stuck = ids.filter((id) => state?.builds[id] && !finished(state, id)).length;
  return { builds: BUILDS, kills: kills.length, lost, stuck, ...stepChecks(join(dir, 'steps.log'), kills), ...(replicas ? { longestFailoverSeconds: Math.max(0, ...failovers) } : {}), seconds: Math.round((Date.now() - t0) / 1000) };
}

/** Duplicate starts of a key with no kill in between, and overlapping runs of one key. */
function stepChecks(file: string, kills: bigint[]): { steps: number; duplicateKeys: number; overlappingRuns: number } {
  const runs = new Map<string, Array<{ start: bigint; end?: bigint }>>();
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  for (const l of lines) {
    const [what, key, ns] = l.split(' ');
    const list = runs.get(key) ?? [];
    runs.set(key, list);
    if (what === 'start') list.push({ start: BigInt(ns) });
    else {
      const open = list.find((r) => r.end === undefined);
      if (open) open.end = BigInt(ns);
    }
  }
  let duplicateKeys = 0;
  let overlappingRuns = 0;
  let steps = 0;
  for (const list of runs.values()) {
    steps += list.length;
    list.sort((a, b) => (a.start < b.start ? -1 : 1));
    for (let i = 1; i < list.length; i++) {
      if (!kills.some((k) => k > list[i - 1].start && k < list[i].start)) duplicateKeys++;
      if (list[i - 1].end === undefined || list[i - 1].end! > list[i].start) overlappingRuns++;
    }
  }
  return { steps, duplicateKeys, overlappingRuns };
}

const out: Record<string, unknown> = {};
out.sqlite = await trial(`sqlite:${join(mkdtempSync(join(tmpdir(), 'rb-chaos-db-')), 'rb.db')}`, false);
const pgDown = await pgUnreachable();
for (const [name, replicas] of [['postgres', false], ['replicas', true]] as const) {
  if (pgDown) {
    out[name] = { skipped: pgDown };
    continue;
  }
  const schema = await freshSchema();
  try {
    out[name] = await trial(schema.url(), replicas);
  } finally {
    await schema.drop();
  }
}
if (json) console.log(JSON.stringify(out));
else console.log(JSON.stringify(out, null, 2));
const bad = Object.values(out).some((r) => {
  const x = r as Record<string, number>;
  return (x.lost ?? 0) + (x.stuck ?? 0) + (x.duplicateKeys ?? 0) + (x.overlappingRuns ?? 0) > 0 || (x.longestFailoverSeconds ?? 0) > 20;
});
process.exit(bad ? 1 : 0);
