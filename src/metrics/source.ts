import type { Labels } from '../domain/events.js';

/**
 * Sample storage: plain arrays, or typed arrays (the window cache hands out views over its
 * compact buffers, src/metrics/window-cache.ts). Treat both as read-only.
 */
export type SampleArray = number[] | Float64Array;

/** One time series: parallel arrays of sample times (ms since epoch) and values; NaN marks a missing value. */
export interface Series {
  labels: Labels;
  timestamps: SampleArray;
  values: SampleArray;
}

/** An instant-query result: one value per series. */
export interface Sample {
  labels: Labels;
  timestamp: number;
  value: number;
}

/**
 * Where metric series come from (Prometheus, VictoriaMetrics, the simulated fleet).
 * Two methods, as Flagger's providers have. Errors are ReleasebotErrors:
 * `BACKEND_DOWN` when the server cannot be reached, `QUERY_FAILED` when it rejects the query.
 * An empty result is returned as `[]`, never as an error: the caller decides that no data is not health.
 */
export interface MetricsSource {
  /** Range query over [startMs, endMs] inclusive with the given step. */
  queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<Series[]>;
  /** Instant query at `atMs`. */
  query(query: string, atMs: number): Promise<Sample[]>;
  /** True when the backend answers. */
  isOnline(): Promise<boolean>;
}
