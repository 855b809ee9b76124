/**
 * The shape of the simulated fleet: which environments, tiers and AZs exist, which metrics
 * each cell emits, and the baseline level of each. Plain data, so tests and the demo can read it.
 */

/** Metrics every (environment, tier, az) cell emits. */
export const FLEET_METRICS = ['http_requests_rate', 'http_errors_rate', 'http_latency_p95_ms', 'jobs_failed_rate'] as const;
export type FleetMetric = (typeof FLEET_METRICS)[number];

export const FLEET_ENVIRONMENTS = ['commercial', 'gov'] as const;
export const FLEET_TIERS = ['staging', 'dogfood', 'canary', 'production'] as const;
export const FLEET_AZS = ['az1', 'az2', 'az3'] as const;

/** Samples are 15 s apart, as a typical Prometheus scrape interval. */
export const SAMPLE_INTERVAL_MS = 15_000;

/** Requests per second per AZ in the commercial environment at the daily mean. */
export const TIER_TRAFFIC: Record<string, number> = { staging: 2, dogfood: 15, canary: 60, production: 600 };
/** p95 latency in ms at the daily mean. */
export const TIER_LATENCY_MS: Record<string, number> = { staging: 150, dogfood: 135, canary: 120, production: 110 };
/** Failed background jobs per second: a low-traffic metric, mostly zeros. */
export const TIER_JOB_FAILURES: Record<string, number> = { staging: 0.001, dogfood: 0.003, canary: 0.005, production: 0.02 };
export const ENVIRONMENT_FACTOR: Record<string, number> = { commercial: 1, gov: 0.2 };
export const AZ_FACTOR: Record<string, number> = { az1: 1, az2: 0.9, az3: 1.1 };
/** Share of requests that fail in a healthy fleet. */
export const BASE_ERROR_RATIO = 0.004;

/** One cell of the fleet: the unit a deploy targets (a share of it). */
export interface FleetCell {
  environment: string;
  tier: string;
  az: string;
}

/** Labels of one simulated series. */
export interface FleetSeriesKey extends FleetCell {
  metric: FleetMetric;
}

/** Every cell of the default topology, in a stable order. */
export function allCells(
  environments: readonly string[] = FLEET_ENVIRONMENTS,
  tiers: readonly string[] = FLEET_TIERS,
  azs: readonly string[] = FLEET_AZS,
): FleetCell[] {
  const cells: FleetCell[] = [];
  for (const environment of environments) for (const tier of tiers) for (const az of azs) cells.push({ environment, tier, az });
  return cells;
}

export function cellKey(c: FleetCell): string {
  return `${c.environment}/${c.tier}/${c.az}`;
}
