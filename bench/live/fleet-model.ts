/**
 * The fleet the live bench's exporter serves, as pure functions of time: which cells and processes
 * exist, how much traffic each gets (daily cycle, weekend dip, a daily spike, traffic trends) and
 * how slow and how error-prone its requests are. The exporter (live) and the backfill (history)
 * both read it, so the history Prometheus holds is the same fleet as the one it scrapes.
 */

import { hashString, normal3 } from '../../src/sim/noise.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** One (environment, tier, az) cell: the unit a deploy step targets a share of. */
export interface LiveCell {
  environment: string;
  tier: string;
  az: string;
  /** Processes in the cell; a deploy at `percent` restarts that share of them with the new build. */
  pods: number;
  /** Requests per second of the whole cell at the daily mean. */
  rps: number;
  /** Median request latency (s) at the daily mean. */
  medianSeconds: number;
}

/**
 * Two tiny staging AZs (the pipeline deploys to az1 only, so az2 is a thin reference group),
 * a canary tier and a production tier of three AZs.
 */
export const LIVE_CELLS: LiveCell[] = [
  { environment: 'commercial', tier: 'staging', az: 'az1', pods: 2, rps: 2, medianSeconds: 0.09 },
  { environment: 'commercial', tier: 'staging', az: 'az2', pods: 2, rps: 2, medianSeconds: 0.09 },
  ...['az1', 'az2', 'az3'].map((az, i) => ({ environment: 'commercial', tier: 'canary', az, pods: 2, rps: [30, 27, 33][i], medianSeconds: 0.08 })),
  ...['az1', 'az2', 'az3'].map((az, i) => ({ environment: 'commercial', tier: 'production', az, pods: 10, rps: [300, 270, 330][i], medianSeconds: 0.075 })),
];

/** Upper bounds of the latency histogram's buckets (seconds), as a Prometheus client would export them. */
export const LATENCY_BUCKETS = [0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5];
/** Spread of the log-normal latency distribution: p95 is about 2.3x the median. */
export const LATENCY_SIGMA = 0.5;
/** Share of requests that fail in a healthy fleet. */
export const BASE_ERROR_RATIO = 0.004;

/** The daily spike: traffic x1.6 and latency x1.35 for 12 minutes at the same time every day. */
export interface DailySpike {
  /** Minute of the UTC day it starts. */
  minuteOfDay: number;
  durationMs: number;
  traffic: number;
  latency: number;
}

export function spike(minuteOfDay: number): DailySpike {
  return { minuteOfDay, durationMs: 12 * MIN, traffic: 1.6, latency: 1.35 };
}

/** A traffic trend on part of the fleet (a drain, a failover, a launch): from 1 to `to` over [start, end], held after. */
export interface TrafficTrend {
  start: number;
  end: number;
  to: number;
  tier?: string;
}

/** Daily cycle (low at 03:00, high at 15:00 UTC) and a quieter weekend, around 1. */
export function dailyLoad(t: number): number {
  const hour = (((t % DAY) + DAY) % DAY) / HOUR;
  const daily = 1 + 0.35 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
  // 1970-01-01 was a Thursday: days 2 and 3 (mod 7) are Saturday and Sunday.
  const dow = Math.floor(t / DAY) % 7;
  return daily * (dow === 2 || dow === 3 ? 0.85 : 1);
}

/** 0 (no spike) to 1 (full): a 2-minute ramp up, a plateau, a 3-minute ramp down. */
export function spikeLevel(s: DailySpike, t: number): number {
  const into = (((t % DAY) + DAY) % DAY) - s.minuteOfDay * MIN;
  if (into < 0 || into >= s.durationMs) return 0;
  if (into < 2 * MIN) return into / (2 * MIN);
  if (into > s.durationMs - 3 * MIN) return (s.durationMs - into) / (3 * MIN);
  return 1;
}

/** Multiplier of a cell's traffic from the trends in force at `t`. */
export function trendFactor(trends: readonly TrafficTrend[], tier: string, t: number): number {
  let f = 1;
  for (const tr of trends) {
    if (t < tr.start || (tr.tier && tr.tier !== tier)) continue;
    const p = Math.min(1, (t - tr.start) / Math.max(1, tr.end - tr.start));
    f *= 1 + (tr.to - 1) * p;
  }
  return f;
}

/** Expected requests per second of a whole cell at `t` (no deploy effects), with a 3% wobble per 15 s. */
export function cellRps(cell: LiveCell, s: DailySpike, trends: readonly TrafficTrend[], t: number, seed: number): number {
  return cell.rps * dailyLoad(t) * (1 + (s.traffic - 1) * spikeLevel(s, t)) * trendFactor(trends, cell.tier, t) * wobble(cell, seed, t);
}

/** Traffic's own unevenness: a deterministic 3% (1 sigma) factor per cell and 15 s slot. */
export function wobble(cell: LiveCell, seed: number, t: number): number {
  return Math.max(0.5, 1 + 0.03 * normal3(seed, hashString(cellName(cell)), Math.floor(t / 15_000)));
}

/** Median latency (s) of a cell at `t`: slower under load and during the spike (no deploy effects). */
export function cellMedian(cell: LiveCell, s: DailySpike, t: number): number {
  return cell.medianSeconds * (0.85 + 0.15 * dailyLoad(t)) * (1 + (s.latency - 1) * spikeLevel(s, t));
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * x);
  const erf = 1 - k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Share of requests at or under each bucket bound, for a log-normal latency with this median. */
export function bucketShares(median: number): number[] {
  return LATENCY_BUCKETS.map((le) => normalCdf(Math.log(le / median) / LATENCY_SIGMA));
}

/** Mean of the log-normal latency with this median (for the histogram's `_sum`). */
export function meanLatency(median: number): number {
  return median * Math.exp((LATENCY_SIGMA * LATENCY_SIGMA) / 2);
}

/** A Poisson draw (normal approximation above 30) from a uniform random stream. */
export function poissonDraw(lambda: number, rand: () => number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = rand(); p > limit; p *= rand()) k++;
  return k;
}

/** A standard normal draw from a uniform random stream. */
export function normalDraw(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Relative noise of a latency sample: larger where few requests make the percentile. */
export function latencyNoise(requests: number): number {
  return 0.04 + 0.5 / Math.sqrt(requests + 1);
}

/** What one process (or, in old history, one cell) has counted since it started. */
export interface Counters {
  ok: number;
  errors: number;
  /** Cumulative per bucket of LATENCY_BUCKETS (fractional: exported rounded down). */
  buckets: number[];
  count: number;
  sum: number;
}

export const zeroCounters = (): Counters => ({ ok: 0, errors: 0, buckets: LATENCY_BUCKETS.map(() => 0), count: 0, sum: 0 });

/** Adds `n` requests, `errors` of them failed, with this median latency. */
export function count(c: Counters, n: number, errors: number, median: number): void {
  const shares = bucketShares(Math.max(0.001, median));
  c.ok += n - errors;
  c.errors += errors;
  c.count += n;
  c.sum += n * meanLatency(median);
  for (let b = 0; b < shares.length; b++) c.buckets[b] += n * shares[b];
}

/** Exposition lines of one process's counters, with these labels (`a="x",b="y"`). */
export function counterLines(labels: string, c: Counters): { requests: string[]; histogram: string[] } {
  const histogram = LATENCY_BUCKETS.map((le, b) => `http_request_duration_seconds_bucket{${labels},le="${le}"} ${Math.floor(c.buckets[b])}`);
  histogram.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${c.count}`, `http_request_duration_seconds_sum{${labels}} ${c.sum.toFixed(3)}`, `http_request_duration_seconds_count{${labels}} ${c.count}`);
  return { requests: [`http_requests_total{${labels},code="200"} ${c.ok}`, `http_requests_total{${labels},code="500"} ${c.errors}`], histogram };
}

export const podLabels = (cell: LiveCell, pod: string) => `environment="${cell.environment}",tier="${cell.tier}",az="${cell.az}",pod="${pod}"`;

export const cellName = (c: { tier: string; az: string }) => `${c.tier}-${c.az}`;
