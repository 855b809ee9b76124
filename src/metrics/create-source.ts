import type { Clock } from '../clock/clock.js';
import type { MetricsConfig } from '../config/schema.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { PrometheusSource } from './prometheus.js';
import { SimulatedSource } from './simulated.js';
import type { MetricsSource } from './source.js';

export interface CreateSourceDeps {
  clock: Clock;
  /** Reuse an existing fleet (the demo shares one with the simulated deployer); otherwise one is built from the seed. */
  fleet?: SimulatedFleet;
  fetch?: typeof fetch;
}

/** Builds the configured MetricsSource. Switches exhaustively: a new config type fails to compile here. */
export function createMetricsSource(config: MetricsConfig, deps: CreateSourceDeps): MetricsSource {
  switch (config.type) {
    case 'simulated':
      return new SimulatedSource({ fleet: deps.fleet ?? new SimulatedFleet({ seed: config.seed, clock: deps.clock }), clock: deps.clock });
    case 'prometheus':
      // Config durations are seconds; the source works in milliseconds.
      return new PrometheusSource({ url: config.url, timeoutMs: config.timeout * 1000, retries: config.retries, auth: config.auth, compression: config.compression, fetch: deps.fetch, clock: deps.clock });
    default: {
      const unknown: never = config;
      throw new Error(`unknown metrics type ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}
