import type { DeploymentHistory } from './deployments.js';
import { cellKey, type FleetCell } from './topology.js';

/** Points sampled over the linger span: enough for a smooth fade, few enough to stay cheap. */
const STEPS = 10;

/**
 * The share of `buildId` on a cell as its symptoms show at `t` when they linger for `lingerMs`
 * after it leaves: the largest past share over the span, fading linearly with its age. Onset is
 * immediate; after a rollback the symptom fades over `lingerMs`, as a p95 over `rate(...[5m])`
 * does on a real Prometheus.
 */
export function lingeringShare(history: DeploymentHistory, cell: FleetCell, buildId: string, t: number, lingerMs: number, key = cellKey(cell)): number {
  let share = history.sharesAt(cell, t, key)[buildId] ?? 0;
  if (!(lingerMs > 0)) return share;
  // Nothing changed on the cell within the span: the share has been what it is now throughout.
  if (history.lastChangeAt(cell, t, key) <= t - lingerMs) return share;
  for (let i = 1; i <= STEPS; i++) {
    const past = history.sharesAt(cell, t - (i * lingerMs) / STEPS, key)[buildId] ?? 0;
    share = Math.max(share, past * (1 - i / STEPS));
  }
  return share;
}
