import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, stopChild } from './prometheus.js';
import { findBinary, freePort, serviceMissing, waitFor } from './prometheus-history.js';

/**
 * A real Prometheus scraping live targets every `scrapeSeconds` (1 s by default), which a test can
 * stop and start again on the same port and data directory (a metrics outage). Returns `{ skip }`
 * with a printed reason when the binary is missing (throws instead when CI=true).
 */
export interface LivePrometheus {
  url: string;
  /** Stop the server (its data stays). */
  stop(): Promise<void>;
  /** Start it again on the same port and data; resolves when it is ready. */
  start(): Promise<void>;
  /** Stop for good and remove the data. */
  dispose(): Promise<void>;
}

/** A Prometheus configuration scraping `targets` (host:port) every `scrapeSeconds` as job `app`. */
export function scrapeConfig(targets: string[], scrapeSeconds: number): string {
  return [
    'global:',
    `  scrape_interval: ${scrapeSeconds}s`,
    `  scrape_timeout: ${scrapeSeconds}s`,
    'scrape_configs:',
    '  - job_name: app',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
}

export async function startLivePrometheus(targets: string[], scrapeSeconds = 1): Promise<LivePrometheus | { skip: string }> {
  const prometheus = findBinary('prometheus');
  if (!prometheus) return { skip: serviceMissing('prometheus not installed (apt-get install prometheus)') };
  const dir = await mkdtemp(join(tmpdir(), 'releasebot-live-prom-'));
  const data = join(dir, 'data');
  await mkdir(data);
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, scrapeConfig(targets, scrapeSeconds));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(prometheus, [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = collect(child);
    try {
      await waitFor(`Prometheus ready on ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, 30_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; stderr: ${stderr().slice(-2000)}`);
    }
  };
  const stop = async () => {
    if (child) await stopChild(child);
    child = undefined;
  };
  await start();
  return { url, start, stop, dispose: async () => { await stop(); await rm(dir, { recursive: true, force: true }); } };
}
