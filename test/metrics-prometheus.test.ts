import { PrometheusSource } from '../src/metrics/prometheus.js';
import { runMetricsSourceContract } from './metrics-contract.js';
import { startPrometheus } from './support/prometheus.js';
import { freePort } from './support/prometheus-history.js';

runMetricsSourceContract('prometheus', async () => {
  const server = await startPrometheus();
  if ('skip' in server) return server;
  const downUrl = `http://127.0.0.1:${await freePort()}`;
  return {
    source: new PrometheusSource({ url: server.url, timeoutMs: 5000, retries: 1, backoffMs: 10 }),
    downSource: new PrometheusSource({ url: downUrl, timeoutMs: 1000, retries: 1, backoffMs: 10 }),
    fleet: server.fleet,
    now: server.endMs,
    stop: server.stop,
  };
});
