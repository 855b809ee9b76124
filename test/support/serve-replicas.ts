/**
 * Real `releasebot serve` processes as replicas on one PostgreSQL store, for the replicas test and
 * `npm run bench:chaos`: a configuration whose command deployer logs each step's start and end with
 * its key, starting a replica, telling which one leads (from its log), and `kill -9`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliArgs } from './cli.js';

export const SERVE_TOKEN = 'serve-replica-token-0123456789';

export interface ReplicaConfigOptions {
  storeUrl: string;
  /** Where the deploy command appends `start KEY NS` and `end KEY NS` lines. */
  stepLog: string;
  leaseSeconds: number;
  stages?: number;
  bakeSeconds?: number;
  /** Each step sleeps this long (seconds), or a random 0.2-0.9 s when 'random'. */
  stepSeconds?: number | 'random';
}

/** Writes a releasebot.yaml into `dir` for replicas on `storeUrl`; returns its path. */
export function replicaConfig(dir: string, o: ReplicaConfigOptions): string {
  const sleep = o.stepSeconds === 'random' || o.stepSeconds === undefined ? '0.$((RANDOM % 8 + 2))' : String(o.stepSeconds);
  const script = `echo "start $RELEASEBOT_KEY $(date +%s%N)" >> "$STEP_LOG"; sleep ${sleep}; echo "end $RELEASEBOT_KEY $(date +%s%N)" >> "$STEP_LOG"`;
  const stages = Array.from({ length: o.stages ?? 3 }, (_, i) => `    - { name: s${i + 1}, environment: e, tier: t${i + 1}, azs: [a], percent: 100, bake: ${o.bakeSeconds ?? 0.3} }`);
  const file = join(dir, 'releasebot.yaml');
  writeFileSync(
    file,
    `server:
  port: 0
  apiTokens: ["${SERVE_TOKEN}"]
store:
  url: "${o.storeUrl}"
replicas:
  lease: ${o.leaseSeconds}
  refresh: 0.2
pipeline:
  tick: 0.1
  stages:
${stages.join('\n')}
deployer:
  type: command
  command: bash
  args: ["-c", ${JSON.stringify(script)}]
  env: { STEP_LOG: "${o.stepLog}" }
  timeout: 30s
  retries: 2
  backoff: 0.2
metrics:
  type: simulated
monitor:
  tick: 1
policy:
  shadow: true
notify:
  console: false
`,
  );
  return file;
}

export interface ServeReplica {
  name: string;
  child: ChildProcess;
  /** Its log lines as `[ms, text]`. */
  lines: Array<[number, string]>;
  url?: string;
  exited: Promise<number | null>;
}

/** Starts `releasebot serve --config file` in `cwd` (replicas on one host share its `./.releasebot/deploys` process records). */
export function startReplica(name: string, file: string, cwd: string): ServeReplica {
  const child = spawn(process.execPath, cliArgs('serve', '--config', file), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const r: ServeReplica = { name, child, lines: [], exited: new Promise((res) => child.on('close', (code) => res(code))) };
  let rest = '';
  child.stderr!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      r.lines.push([Date.now(), line]);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) r.url = m[1];
    }
  });
  return r;
}

/** When `r` last announced that it leads, at or after `since` (ms), else undefined. */
export function ledSince(r: ServeReplica, since: number): number | undefined {
  const hit = r.lines.find(([at, line]) => at >= since && / leads \(token \d+\)/.test(line));
  return hit?.[0];
}

/** The replica that announced leading most recently and still runs. */
export function currentLeader(rs: ServeReplica[]): ServeReplica | undefined {
  let best: { r: ServeReplica; at: number } | undefined;
  for (const r of rs) {
    if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
    for (const [at, line] of r.lines) {
      if (/ leads \(token \d+\)/.test(line) && (!best || at > best.at)) best = { r, at };
      if (/ steps down /.test(line) && best?.r === r && at >= best.at) best = undefined;
    }
  }
  return best?.r;
}

export async function kill9(r: ServeReplica): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGKILL');
  await r.exited;
}

/** POST a build to `r`; resolves with the HTTP status, or 0 when the replica did not answer. */
export async function postBuild(r: ServeReplica, id: string): Promise<number> {
  if (!r.url) return 0;
  const body = { id, sha: 'abcdef1234567', createdAt: new Date().toISOString(), pullRequests: [] };
  try {
    const res = await fetch(`${r.url}/api/builds`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVE_TOKEN}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
    return res.status;
  } catch {
    return 0;
  }
}

/** Polls `f` every 100 ms until truthy, or fails after `ms`. */
export async function until<T>(f: () => T | Promise<T>, ms: number, what: string): Promise<Exclude<T, false | undefined | null | 0 | ''>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v as Exclude<T, false | undefined | null | 0 | ''>;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
