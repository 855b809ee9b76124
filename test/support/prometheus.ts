import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SimulatedFleet } from '../../src/sim/fleet.js';
import type { FleetSeriesKey } from '../../src/sim/topology.js';
import { findBinary, freePort, harnessSeries, openMetricsByDay, serviceMissing, type HistorySpec } from './prometheus-history.js';
import { startServer, type ServerProcess } from './server-process.js';

export { collect, stopChild } from './server-process.js';

const run = promisify(execFile);

/** A running Prometheus with backfilled history from a simulated fleet. */
export interface RunningMetricsServer {
  url: string;
  fleet: SimulatedFleet;
  series: FleetSeriesKey[];
  /** First and last sample times of the history (ms). */
  startMs: number;
  endMs: number;
  stepMs: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  seed?: number;
  days?: number;
  stepMs?: number;
  /** Multiply each series by this many `shard` label values (the bench needs thousands of series). */
  shards?: number;
  series?: (fleet: SimulatedFleet) => FleetSeriesKey[];
  /** Last sample time; defaults to the current minute. */
  endMs?: number;
}

/**
 * Starts Prometheus on a free loopback port with a temp data dir, after backfilling `days`
 * of history with promtool (one block per UTC day, created BEFORE the server starts so it loads
 * them as ordinary blocks). Returns `{ skip }` with a printed reason when the binaries are
 * missing (throws instead when CI=true).
 */
export async function startPrometheus(opts: StartOptions = {}): Promise<RunningMetricsServer | { skip: string }> {
  const prometheus = findBinary('prometheus');
  const promtool = findBinary('promtool');
  if (!prometheus || !promtool) return { skip: serviceMissing('prometheus/promtool not installed (apt-get install prometheus)') };
  const fleet = new SimulatedFleet({ seed: opts.seed ?? 1 });
  const stepMs = opts.stepMs ?? 60_000;
  const endMs = opts.endMs ?? Math.floor(Date.now() / stepMs) * stepMs;
  const startMs = endMs - (opts.days ?? 8) * 86_400_000;
  const series = (opts.series ?? harnessSeries)(fleet);
  const spec: HistorySpec = { fleet, series, startMs, endMs, stepMs, shards: opts.shards };

  const dir = await mkdtemp(join(tmpdir(), 'releasebot-prom-'));
  const data = join(dir, 'data');
  await mkdir(data);
  const days = openMetricsByDay(spec);
  // promtool runs per day in parallel: each day is an independent 24 h block.
  await Promise.all(
    days.map(async ({ day, text }) => {
      const file = join(dir, `day-${day}.om`);
      await writeFile(file, text);
      await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', '-q', file, data], { maxBuffer: 64 << 20 });
      await rm(file);
    }),
  );
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const { url, stop } = await spawnPrometheus({ bin: prometheus, dir, data, flags: ['--storage.tsdb.retention.time=60d'], readyMs: 30_000, cleanup });
  return { url, fleet, series, startMs, endMs, stepMs, stop };
}

/**
 * Starts `bin` (prometheus) on the TSDB in `data` on a free port, with `config` (by default one
 * scraping nothing) written into `dir`, and resolves once it is ready (with its url and process id).
 * If it does not get ready in `readyMs`, it is stopped and the error carries its stderr. `stop` ends
 * the process, then runs `cleanup`.
 */
export async function spawnPrometheus(o: { bin: string; dir: string; data: string; flags: string[]; readyMs: number; config?: string; port?: number; cleanup?: () => Promise<void> }): Promise<ServerProcess> {
  const config = join(o.dir, 'prometheus.yml');
  await writeFile(config, o.config ?? 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = o.port ?? (await freePort());
  return startServer({
    what: 'Prometheus',
    bin: o.bin,
    args: [`--config.file=${config}`, `--storage.tsdb.path=${o.data}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...o.flags],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/-/ready',
    readyMs: o.readyMs,
    cleanup: o.cleanup,
  });
}
