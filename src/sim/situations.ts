import type { DeploymentHistory } from './deployments.js';
import { cellKey, type FleetCell, type FleetMetric, type FleetSeriesKey } from './topology.js';

/**
 * Situations of real fleets that judge deploys wrongly when ignored (issue 10): traffic that falls
 * or rises for hours, and process restarts at every deploy step. Pure functions of time and the
 * recorded deploys, like the rest of the fleet. Lingering symptoms are a property of a bad build
 * (`BadBuildEffect.lingerMs`, linger.ts).
 */

/** Traffic multiplied by a factor going linearly from `from` at `start` to `to` at `end` (and `to` after it). */
export interface TrafficTrend {
  start: number;
  end: number;
  from: number;
  to: number;
  /** Limit to part of the fleet; by default every cell. */
  scope?: Partial<FleetCell>;
}

/**
 * A restart at each deploy step: the rates of the restarted share dip by `depth` for `durationMs`
 * (what `rate()` shows across a counter reset and while new processes warm up: about 8% for a
 * minute on a real exporter).
 */
export interface RestartDip {
  depth: number;
  durationMs: number;
}

/** Rates that a restart makes dip (counters underneath). Latency is a gauge and does not. */
const COUNTER_RATES: readonly FleetMetric[] = ['http_requests_rate', 'http_errors_rate', 'jobs_failed_rate'];

function inScope(scope: Partial<FleetCell> | undefined, c: FleetCell): boolean {
  if (!scope) return true;
  return (!scope.environment || scope.environment === c.environment) && (!scope.tier || scope.tier === c.tier) && (!scope.az || scope.az === c.az);
}

/** The situations in force on a fleet (empty by default: the fleet behaves as before). */
export class FleetSituations {
  private readonly trends: TrafficTrend[] = [];
  private restart: RestartDip | undefined;

  addTrafficTrend(t: TrafficTrend): void {
    if (!(t.end > t.start) || !(t.from > 0) || !(t.to > 0)) throw new Error('addTrafficTrend: need end > start and positive factors');
    this.trends.push(t);
  }

  setRestartDip(d: RestartDip | undefined): void {
    this.restart = d;
  }

  /** Product of the traffic trends on a cell at `t`. */
  trafficFactor(cell: FleetCell, t: number): number {
    let f = 1;
    for (const tr of this.trends) {
      if (t < tr.start || !inScope(tr.scope, cell)) continue;
      const p = Math.min(1, (t - tr.start) / (tr.end - tr.start));
      f *= tr.from + (tr.to - tr.from) * p;
    }
    return f;
  }

  /** Multiplier of a series at `t` from a restart at the latest deploy step on its cell. */
  restartFactor(key: FleetSeriesKey, t: number, history: DeploymentHistory, cell = cellKey(key)): number {
    if (!this.restart || !COUNTER_RATES.includes(key.metric)) return 1;
    const change = history.lastChange(key, t, cell);
    if (!change || t - change.at >= this.restart.durationMs) return 1;
    return 1 - this.restart.depth * change.moved;
  }
}
