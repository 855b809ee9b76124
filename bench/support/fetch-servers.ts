/**
 * Real Prometheus and VictoriaMetrics with many series for bench:fetch. Backfilling 10,000-30,000
 * series is CPU heavy (minutes on two shared cores), so the data directories are generated once
 * under RELEASEBOT_BENCH_CACHE (default /tmp/releasebot-bench-fetch) and reused by later runs: the
 * history has a fixed end time, and the bench ticks inside it.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { SimulatedFleet } from '../../src/sim/fleet.js';
import type { FleetSeriesKey } from '../../src/sim/topology.js';
import { spawnPrometheus } from '../../test/support/prometheus.js';
import { startServer } from '../../test/support/server-process.js';
import { findBinary, freePort, waitFor } from '../../test/support/prometheus-history.js';

const run = promisify(execFile);
export const CACHE_ROOT = process.env.RELEASEBOT_BENCH_CACHE ?? '/tmp/releasebot-bench-fetch';
/** Fixed end of the generated history (a Monday noon, UTC), so cached data stays usable. */
export const HISTORY_END = Date.UTC(2026, 0, 5, 12, 0, 0);
export const METRIC = 'http_requests_rate';

export interface BenchServer {
  kind: 'prometheus' | 'victoria-metrics';
  url: string;
  series: number;
  startMs: number;
  endMs: number;
  /** Milliseconds spent generating the history this run (0 when the cache was used). */
  generatedMs: number;
  /** Process id of the server (its CPU time per tick is read from /proc). */
  pid?: number;
  stop(): Promise<void>;
}

interface Spec {
  series: number;
  stepMs: number;
  historyMs: number;
  /**
   * How VictoriaMetrics is loaded. `scrape` (default): step after step, each step's samples
   * imported in `partsPerStep` groups of series, each group made a part of its own
   * (/internal/force_flush) as a scraping VictoriaMetrics flushes what it received, so its
   * background merges shape the parts as on a live server: old samples in large parts, the last
   * minutes in parts spanning seconds to tens of minutes. `bulk`: the whole history in one pass,
   * series after series, so each series' 3.5 h end up in one block that a query for its last
   * minutes decompresses whole (the worst case for the steady tick).
   */
  load?: 'scrape' | 'bulk';
  /**
   * `scrape` only: parts per step (default 8). A server scraping many targets receives a step's
   * samples spread over the interval and flushes about every second, so its newest parts each
   * hold some of the series; with N the step's series are imported and flushed in N groups.
   */
  partsPerStep?: number;
}

/** (label text, fleet, key) for `n` series: the fleet's cells times `shard` values, each shard its own seed. */
function* seriesList(n: number): Generator<{ labels: string; fleet: SimulatedFleet; key: FleetSeriesKey }> {
  const base = new SimulatedFleet({ seed: 1 });
  const cells = base.series().filter((s) => s.metric === METRIC);
  for (let shard = 0, made = 0; made < n; shard++) {
    const fleet = shard === 0 ? base : new SimulatedFleet({ seed: 7919 + shard });
    for (const key of cells) {
      if (made++ >= n) return;
      yield { labels: `{environment="${key.environment}",tier="${key.tier}",az="${key.az}",shard="${shard}"}`, fleet, key };
    }
  }
}

/**
 * Writes the history step after step (every series' sample at one time, then the next time), as
 * scrapes deliver it: each step in `partsPerStep` groups of series, one `write` and one `flush`
 * per group.
 */
async function generateByStep(spec: Spec, line: (name: string, v: number, t: number) => string, write: (chunk: string) => Promise<void>, flush: () => Promise<void>): Promise<void> {
  const list = [...seriesList(spec.series)].map((s) => ({ ...s, name: METRIC + s.labels }));
  const parts = Math.max(1, spec.partsPerStep ?? 8);
  const size = Math.ceil(list.length / parts);
  for (let t = HISTORY_END - spec.historyMs; t <= HISTORY_END; t += spec.stepMs) {
    for (let from = 0; from < list.length; from += size) {
      await write(list.slice(from, from + size).map((s) => line(s.name, s.fleet.valueAt(s.key, t), t)).join('\n') + '\n');
      await flush();
    }
  }
}

/** Writes the history as text lines through `write` (awaits back-pressure). */
async function generate(spec: Spec, line: (name: string, v: number, t: number) => string, write: (chunk: string) => Promise<void>): Promise<void> {
  const start = HISTORY_END - spec.historyMs;
  let buf: string[] = [];
  for (const s of seriesList(spec.series)) {
    for (let t = start; t <= HISTORY_END; t += spec.stepMs) buf.push(line(METRIC + s.labels, s.fleet.valueAt(s.key, t), t));
    if (buf.length >= 100_000) {
      await write(buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) await write(buf.join('\n') + '\n');
}

const dirOf = (kind: string, spec: Spec) => join(CACHE_ROOT, `${kind}-${spec.series}-${spec.stepMs / 1000}s-${spec.historyMs / 60_000}m-${HISTORY_END}`);
const victoriaDirOf = (spec: Spec) => (spec.load === 'bulk' ? dirOf('victoria', spec) : dirOf(`victoria-scrapex${spec.partsPerStep ?? 8}`, spec));

/** Prometheus on a cached TSDB (blocks made once with promtool). */
export async function startBenchPrometheus(spec: Spec): Promise<BenchServer> {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  if (!prometheus || !promtool) throw new Error('prometheus/promtool not installed (apt-get install prometheus)');
  const dir = dirOf('prometheus', spec);
  const data = join(dir, 'data');
  let generatedMs = 0;
  if (!existsSync(join(dir, 'ready'))) {
    const t0 = Date.now();
    await rm(dir, { recursive: true, force: true });
    await mkdir(data, { recursive: true });
    const file = join(dir, 'history.om');
    const out = createWriteStream(file);
    const write = async (chunk: string) => {
      if (!out.write(chunk)) await once(out, 'drain');
    };
    await write(`# TYPE ${METRIC} gauge\n`);
    await generate(spec, (name, v, t) => `${name} ${v} ${t / 1000}`, write);
    await write('# EOF\n');
    out.end();
    await once(out, 'finish');
    await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', '-q', file, data], { maxBuffer: 64 << 20 });
    await rm(file);
    await writeFile(join(dir, 'ready'), new Date().toISOString());
    generatedMs = Date.now() - t0;
  }
  const flags = ['--storage.tsdb.retention.time=100y', '--query.max-samples=200000000'];
  const { url, pid, stop } = await spawnPrometheus({ bin: prometheus, dir, data, flags, readyMs: 120_000 });
  return { kind: 'prometheus', url, series: spec.series, startMs: HISTORY_END - spec.historyMs, endMs: HISTORY_END, generatedMs, pid, stop };
}

/** VictoriaMetrics on a cached storage directory (imported once through /api/v1/import/prometheus). */
export async function startBenchVictoria(spec: Spec): Promise<BenchServer> {
  const bin = findBinary('victoria-metrics');
  if (!bin) throw new Error('victoria-metrics not installed (apt-get install victoria-metrics)');
  const dir = victoriaDirOf(spec);
  const fresh = !existsSync(join(dir, 'ready'));
  if (fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { stop, stderr, pid } = await startServer({
    what: 'VictoriaMetrics',
    bin,
    args: [
      `-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR',
      '-search.latencyOffset=0s', '-search.disableCache', '-search.maxSamplesPerQuery=2000000000', '-search.maxUniqueTimeseries=1000000',
    ],
    url,
    readyPath: '/health',
    readyMs: 60_000,
  });
  let generatedMs = 0;
  try {
    if (fresh) {
      const t0 = Date.now();
      const line = (name: string, v: number, t: number) => `${name} ${v} ${t}`;
      const write = async (chunk: string) => {
        const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: chunk });
        if (!res.ok) throw new Error(`import failed: HTTP ${res.status} ${await res.text()}`);
      };
      const flush = async () => void (await fetch(`${url}/internal/force_flush`)).body?.cancel();
      if (spec.load === 'bulk') await generate(spec, line, write);
      else await generateByStep(spec, line, write, flush);
      await flush();
      const q = new URLSearchParams({ query: `count(${METRIC})`, time: String(HISTORY_END / 1000) });
      await waitFor('imported history to be queryable', async () => {
        const body = (await (await fetch(`${url}/api/v1/query?${q}`)).json()) as { data: { result: { value: [number, string] }[] } };
        return Number(body.data.result[0]?.value[1] ?? 0) === spec.series;
      }, 300_000);
      // Let the background merges finish, so every run starts from the same parts.
      let idle = 0;
      await waitFor('merges to finish', async () => {
        const active = (await (await fetch(`${url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('vm_active_merges{type="storage/'));
        idle = active.every((l) => l.endsWith(' 0')) ? idle + 1 : 0;
        return idle >= 30;
      }, 300_000);
      await writeFile(join(dir, 'ready'), new Date().toISOString());
      generatedMs = Date.now() - t0;
    }
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; stderr: ${stderr().slice(-2000)}`);
  }
  return { kind: 'victoria-metrics', url, series: spec.series, startMs: HISTORY_END - spec.historyMs, endMs: HISTORY_END, generatedMs, pid, stop };
}
