import type { SimulatedSource } from '../metrics/simulated.js';
import type { SimulatedFleet } from './fleet.js';

/**
 * Fault scenarios for the simulated fleet and backend (tests and `bench:deploys`).
 */

/** Share of a cell a crashing build must run on before the whole cell goes quiet (the rest still reports below it). */
export const CRASH_SHARE = 0.5;

/**
 * `buildId` crash-loops wherever it runs: a cell where it runs on at least half of the fleet exports
 * no metrics at all (its series vanish) from the moment it took effect until it is rolled back.
 */
export function markCrashingBuild(fleet: SimulatedFleet, buildId: string): void {
  fleet.addSilencer((cell, t) => (fleet.buildShares(cell, t)[buildId] ?? 0) >= CRASH_SHARE);
}

/** The metrics backend is unreachable (BACKEND_DOWN) during [start, end). */
export function scheduleBackendOutage(source: SimulatedSource, start: number, end: number): void {
  source.scheduleFault({ kind: 'backend_down', start, end });
}
