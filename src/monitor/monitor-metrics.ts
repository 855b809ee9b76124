import { Counter, Gauge, type Registry } from 'prom-client';
import type { FetchFigures } from './tick-fetch.js';

/** What the fetch-path gauges read at scrape time. */
export interface MonitorMetricsDeps {
  /** Per check: mode, series, samples and bytes held (Monitor.fetchFigures). */
  figures(): FetchFigures[];
  /** Bytes of metrics-server answers read so far (PrometheusSource.bytesRead), when the source counts them. */
  bytesFetched?(): number;
}

/**
 * The monitor's fetch path on the bot's /metrics: series, held samples and cache bytes per check,
 * each check's fetch mode, and the bytes read from the metrics server. Computed at scrape time
 * from the monitor's own state. (Tick duration and the slow-tick warning are registered with the
 * tick itself.)
 */
export function registerMonitorMetrics(registry: Registry, deps: MonitorMetricsDeps): void {
  const perCheck = (name: string, help: string, pick: (f: FetchFigures) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['check'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const f of deps.figures()) this.set({ check: f.check }, pick(f));
      },
    });
  perCheck('releasebot_monitor_series', 'Series held in the window cache, by check', (f) => f.series);
  perCheck('releasebot_monitor_samples_held', 'Samples held in the window cache (series x window slots), by check', (f) => f.samples);
  perCheck('releasebot_monitor_cache_bytes', 'Bytes of typed arrays the window cache holds, by check', (f) => f.bytes);
  new Gauge({
    name: 'releasebot_monitor_fetch_mode',
    help: '1 for the mode each check is fetched in (raw or pushdown)',
    labelNames: ['check', 'mode'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const f of deps.figures()) this.set({ check: f.check, mode: f.mode }, 1);
    },
  });
  if (!deps.bytesFetched) return;
  const read = deps.bytesFetched;
  let reported = 0;
  new Counter({
    name: 'releasebot_metrics_fetched_bytes_total',
    help: 'Bytes of answers read from the metrics server',
    registers: [registry],
    collect() {
      const now = read();
      if (now > reported) this.inc(now - reported);
      reported = now;
    },
  });
}
