/**
 * A real Prometheus for the live bench: history backfilled with promtool into a fresh data
 * directory first (history.ts), then the server started on a free loopback port, scraping the
 * exporter every `scrapeSeconds`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPrometheus } from '../../test/support/prometheus.js';
import { scrapeConfig } from '../../test/support/live-prometheus.js';
import { findBinary } from '../../test/support/prometheus-history.js';
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
  const { url, pid, stop } = await spawnPrometheus({
    bin: prometheus, dir, data, flags: ['--storage.tsdb.retention.time=60d'], readyMs: 60_000,
    config: scrapeConfig([target], scrapeSeconds), cleanup: () => rm(dir, { recursive: true, force: true }),
  });
  return { url, pid, backfilled: { samples, ms }, stop };
}
