/**
 * The real bot for the live bench: `releasebot serve` as a child process (run from the sources
 * with tsx), with a configuration file that uses the webhook deployer (the exporter's `/deploy`)
 * and Prometheus, and a small client for the API it serves (builds in with the API token, state,
 * events and the decision log out).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeployEvent } from '../../src/domain/events.js';
import type { Decision, DeployStep } from '../../src/domain/pipeline.js';
import { stopChild } from '../../test/support/prometheus.js';
import { freePort, waitFor } from '../../test/support/prometheus-history.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Stage bakes in seconds, scaled down from a real pipeline's 10-20 minutes. */
export interface Bakes {
  staging: number;
  canary: number;
  prod10: number;
  prod50: number;
  prod100: number;
}

/** The checks: error ratio, p95 latency from the histogram, request rate, per (environment, tier, az). */
export function benchChecks(): Array<{ name: string; query: string; direction: 'up' | 'down'; static?: number; dynamic?: 'seasonal' }> {
  const cell = 'environment, tier, az';
  return [
    {
      name: 'error_ratio',
      query: `sum by (${cell}) (rate(http_requests_total{code="500"}[2m])) / sum by (${cell}) (rate(http_requests_total[2m]))`,
      direction: 'up',
      static: 0.02,
    },
    {
      name: 'latency_p95',
      query: `histogram_quantile(0.95, sum by (le, ${cell}) (rate(http_request_duration_seconds_bucket[5m])))`,
      direction: 'up',
      static: 1,
      dynamic: 'seasonal',
    },
    { name: 'request_rate', query: `sum by (${cell}) (rate(http_requests_total[2m]))`, direction: 'down' },
  ];
}

/** The configuration the bench runs the bot with (a releasebot.yaml; JSON is YAML). */
export function benchConfig(o: { port: number; token: string; store: string; prometheus: string; deployUrl: string; bakes: Bakes }): unknown {
  return {
    server: { host: '127.0.0.1', port: o.port, apiTokens: [o.token] },
    store: { url: `sqlite:${o.store}` },
    pipeline: {
      tick: 2,
      stages: [
        { name: 'staging', environment: 'commercial', tier: 'staging', azs: ['az1'], percent: 100, bake: o.bakes.staging },
        { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bake: o.bakes.canary },
        { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bake: o.bakes.prod10 },
        { name: 'prod-50', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 50, bake: o.bakes.prod50 },
        { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bake: o.bakes.prod100 },
      ],
    },
    deployer: { type: 'webhook', url: o.deployUrl, timeout: 30, retries: 2, backoff: 1 },
    metrics: { type: 'prometheus', url: o.prometheus, timeout: 5, retries: 1 },
    // Events close and their holds lift after 90 quiet seconds (15 minutes in production; the bakes are scaled down too).
    monitor: { tick: 5, groupingWindow: 90, quietPeriod: 90 },
    checks: benchChecks(),
    // A hold past the bake escalates after 2 minutes (10 in production), as the bakes are scaled down.
    policy: { noDataHold: 60, escalateAfter: 120 },
    notify: { console: true },
  };
}

export interface BotBuildState {
  status: string;
  stage?: string | null;
  includes?: string[];
}

export interface RunningBot {
  url: string;
  pid: number | undefined;
  logFile: string;
  submit(id: string): Promise<void>;
  builds(): Promise<Record<string, BotBuildState>>;
  build(id: string): Promise<{ steps: DeployStep[]; decisions: Decision[]; events: DeployEvent[] }>;
  events(): Promise<DeployEvent[]>;
  decisions(): Promise<Decision[]>;
  hold(): Promise<{ kind: string; actor: { id: string }; reason: string; since?: number } | null>;
  act(action: 'rollback' | 'resume', body: Record<string, unknown>): Promise<void>;
  /** CPU seconds the bot process has used so far (from /proc). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Writes the configuration into `dir` and starts `releasebot serve` on it; resolves once /readyz answers. */
export async function startBot(dir: string, o: { prometheus: string; deployUrl: string; bakes: Bakes }): Promise<RunningBot> {
  const port = await freePort();
  const token = randomBytes(18).toString('hex');
  const config = join(dir, 'releasebot.yaml');
  await writeFile(config, JSON.stringify(benchConfig({ port, token, store: join(dir, 'bot.db'), ...o }), null, 2));
  const logFile = join(dir, 'bot.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path, { headers });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  };
  try {
    await waitFor(`releasebot serve on ${url}`, async () => (await fetch(`${url}/readyz`)).ok, 60_000);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}; log: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  return {
    url, pid: child.pid, logFile,
    submit: (id) => post('/api/builds', { id, sha: Buffer.from(id).toString('hex').padEnd(40, '0').slice(0, 40), createdAt: new Date().toISOString(), pullRequests: [] }),
    builds: async () => {
      const { builds } = await get<{ builds: Array<{ id: string; state: BotBuildState | null }> }>('/api/builds?limit=1000');
      return Object.fromEntries(builds.filter((b) => b.state).map((b) => [b.id, b.state!]));
    },
    build: (id) => get(`/api/builds/${encodeURIComponent(id)}`),
    events: async () => (await get<{ events: DeployEvent[] }>('/api/events?limit=1000')).events,
    decisions: async () => (await get<{ decisions: Decision[] }>('/api/decisions?limit=5000')).decisions,
    hold: async () => (await get<{ hold: Awaited<ReturnType<RunningBot['hold']>> }>('/api/pipeline')).hold,
    act: (action, body) => post(`/api/actions/${action}`, body),
    cpuSeconds: () => procCpuSeconds(child.pid),
    stop: async () => {
      await stopChild(child);
      log.end();
    },
  };
}

/** utime + stime of a process in seconds, from /proc (0 where unavailable). */
export function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
