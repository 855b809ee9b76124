import { PrometheusSource } from '../../src/metrics/prometheus.js';
import type { ContractFixture } from '../metrics-contract.js';
import { freePort } from './prometheus-history.js';
import type { RunningMetricsServer } from './prometheus.js';

/**
 * The contract fixture for any server speaking the Prometheus HTTP API (Prometheus, VictoriaMetrics):
 * the server started by `start`, read through PrometheusSource unchanged, plus a source pointed at a
 * free port where nothing listens.
 */
export async function prometheusApiFixture(start: () => Promise<RunningMetricsServer | { skip: string }>): Promise<ContractFixture | { skip: string }> {
  const server = await start();
  if ('skip' in server) return server;
  const downUrl = `http://127.0.0.1:${await freePort()}`;
  return {
    source: new PrometheusSource({ url: server.url, timeoutMs: 5000, retries: 1, backoffMs: 10 }),
    downSource: new PrometheusSource({ url: downUrl, timeoutMs: 1000, retries: 1, backoffMs: 10 }),
    fleet: server.fleet,
    now: server.endMs,
    stop: server.stop,
  };
}
