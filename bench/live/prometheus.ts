/**
 * A real Prometheus for the live bench: history backfilled with promtool into a fresh data
 * directory first (history.ts), then the server started on a free loopback port, scraping the
 * exporter every `scrapeSeconds`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, stopChild } from '../../test/support/prometheus.js';
import { scrapeConfig } from '../../test/support/live-prometheus.js';
import { findBinary, freePort, waitFor } from '../../test/support/prometheus-history.js';
import { backfill, type History } from './history.js';

export interface BenchPrometheus {
  url: string;
  pid: number | undefined;
  /** Lines of history written by promtool, and how long the backfill took (ms). */
  backfilled: { samples: number; ms: number };
  stop(): Promise<void>;
}

/** Throws with an install hint when the binaries are missing (a bench has nothing to skip to). */
export async function startBenchPrometheus(target: string, history: History, scrapeSeconds: number): Promise<BenchPrometheus> {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  if (!prometheus || !promtool) throw new Error('bench:live needs prometheus and promtool on PATH (apt-get install prometheus)');
  const dir = await mkdtemp(join(tmpdir(), 'releasebot-live-bench-'));
  const data = join(dir, 'data');
  await mkdir(data);
  const t0 = Date.now();
  const samples = await backfill(promtool, dir, data, history);
  const ms = Date.now() - t0;
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, scrapeConfig([target], scrapeSeconds));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(prometheus, [
    `--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=60d', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = collect(child);
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`Prometheus ready on ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, 60_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; stderr: ${stderr().slice(-2000)}`);
  }
  return { url, pid: child.pid, backfilled: { samples, ms }, stop };
}
