import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPrometheus } from './prometheus.js';
import { findBinary, freePort, serviceMissing } from './prometheus-history.js';
import type { ServerProcess } from './server-process.js';

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
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server: ServerProcess | undefined;
  const start = async () => {
    server = await spawnPrometheus({ bin: prometheus, dir, data, port, flags: [], readyMs: 30_000, config: scrapeConfig(targets, scrapeSeconds) });
  };
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };
  await start();
  return { url, start, stop, dispose: async () => { await stop(); await rm(dir, { recursive: true, force: true }); } };
}
