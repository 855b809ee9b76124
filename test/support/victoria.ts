import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedFleet } from '../../src/sim/fleet.js';
import type { RunningMetricsServer, StartOptions } from './prometheus.js';
import { startServer } from './server-process.js';
import { exposition, findBinary, freePort, harnessSeries, serviceMissing, waitFor } from './prometheus-history.js';

/**
 * Starts VictoriaMetrics on a free loopback port with a temp data dir, imports `days` of
 * history through `/api/v1/import/prometheus`, flushes, and waits until every series is
 * queryable. Skips (printed reason) when the binary is missing, or throws when CI=true.
 */
export async function startVictoria(opts: StartOptions = {}): Promise<RunningMetricsServer | { skip: string }> {
  const bin = findBinary('victoria-metrics');
  if (!bin) return { skip: serviceMissing('victoria-metrics not installed (apt-get install victoria-metrics)') };
  const fleet = new SimulatedFleet({ seed: opts.seed ?? 1 });
  const stepMs = opts.stepMs ?? 60_000;
  const endMs = opts.endMs ?? Math.floor(Date.now() / stepMs) * stepMs;
  const startMs = endMs - (opts.days ?? 8) * 86_400_000;
  const series = (opts.series ?? harnessSeries)(fleet);

  const dir = await mkdtemp(join(tmpdir(), 'releasebot-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { stop, stderr } = await startServer({
    what: 'VictoriaMetrics',
    bin,
    args: [
      `-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR',
      // The history ends "now": without these, VM hides the last 30 s and caches answers taken mid-import.
      '-search.latencyOffset=0s', '-search.disableCache',
    ],
    url,
    readyPath: '/health',
    readyMs: 30_000,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  });
  try {
    for (const chunk of exposition({ fleet, series, startMs, endMs, stepMs, shards: opts.shards })) {
      const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: chunk });
      if (!res.ok) throw new Error(`import failed: HTTP ${res.status} ${await res.text()}`);
    }
    await fetch(`${url}/internal/force_flush`);
    const expected = series.length * (opts.shards ?? 1);
    // Both ends of the history must be searchable before tests read 7-day-old windows.
    const countAt = async (t: number) => {
      const q = new URLSearchParams({ query: `count({__name__=~"${[...new Set(series.map((s) => s.metric))].join('|')}"})`, time: String(t / 1000) });
      const body = (await (await fetch(`${url}/api/v1/query?${q}`)).json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? 0);
    };
    await waitFor('imported history to be queryable', async () => (await countAt(endMs)) === expected && (await countAt(startMs + 3_600_000)) === expected, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; stderr: ${stderr().slice(-2000)}`);
  }
  return { url, fleet, series, startMs, endMs, stepMs, stop };
}
