import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/clock.js';
import { BackendDownError, ReleasebotError } from '../domain/errors.js';
import type { Labels } from '../domain/events.js';
import type { SimulatedFleet } from '../sim/fleet.js';
import { SAMPLE_INTERVAL_MS } from '../sim/topology.js';
import { matches, parseSimQuery, type SimExpr } from './sim-query.js';
import type { MetricsSource, Sample, Series } from './source.js';

/** Faults the simulated backend can be told to show. */
export type SimulatedFault = 'backend_down' | 'no_data';

/** A fault active during [start, end) of the source clock's time. */
export interface ScheduledFault {
  kind: SimulatedFault;
  start: number;
  end: number;
}

export interface SimulatedSourceOptions {
  fleet: SimulatedFleet;
  /** "Now" of the simulated backend: samples after it do not exist yet. Defaults to wall time. */
  clock?: Clock;
}

/**
 * A MetricsSource answering from a SimulatedFleet, with the query subset documented in
 * `sim-query.ts`. Range results hold one sample per step (the fleet sample at or before the
 * step time, like PromQL's lookback), never beyond the clock's now. Faults are injectable:
 * `backend_down` throws BACKEND_DOWN, `no_data` answers `[]`.
 */
export class SimulatedSource implements MetricsSource {
  private readonly fleet: SimulatedFleet;
  private readonly clock: Clock;
  private fault: SimulatedFault | null = null;
  private readonly scheduled: ScheduledFault[] = [];

  constructor(opts: SimulatedSourceOptions) {
    this.fleet = opts.fleet;
    this.clock = opts.clock ?? new SystemClock();
  }

  /** Turn a fault on until it is set back to null. */
  setFault(fault: SimulatedFault | null): void {
    this.fault = fault;
  }

  /** Schedule a fault for a time range of the source's clock. */
  scheduleFault(f: ScheduledFault): void {
    this.scheduled.push(f);
  }

  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<Series[]> {
    const expr = parseSimQuery(query);
    if (!(stepMs > 0)) throw new ReleasebotError('QUERY_FAILED', `query ${JSON.stringify(query)}: step must be > 0, got ${stepMs}`, { query });
    if (endMs < startMs) throw new ReleasebotError('QUERY_FAILED', `query ${JSON.stringify(query)}: end is before start`, { query });
    if ((endMs - startMs) / stepMs > 11_000) {
      // Same limit as Prometheus, so code that works here does not break against a real server.
      throw new ReleasebotError('QUERY_FAILED', `query ${JSON.stringify(query)}: more than 11,000 points per series; raise the step`, { query });
    }
    if (this.faultNow()) return [];
    const last = Math.min(endMs, this.clock.now());
    const times: number[] = [];
    for (let t = startMs; t <= last; t += stepMs) times.push(t);
    if (times.length === 0) return [];
    // Points of cells that do not report (fleet silencers) are NaN until here: dropped, as absent samples are.
    return this.evaluate(expr, times).map(dropMissing).filter((s) => s.values.length > 0);
  }

  async query(query: string, atMs: number): Promise<Sample[]> {
    const expr = parseSimQuery(query);
    if (this.faultNow()) return [];
    if (atMs > this.clock.now()) return [];
    return this.evaluate(expr, [atMs]).filter((s) => !Number.isNaN(s.values[0])).map((s) => ({ labels: s.labels, timestamp: atMs, value: s.values[0] }));
  }

  async isOnline(): Promise<boolean> {
    return this.activeFault() !== 'backend_down';
  }

  /** Throws on backend_down; true when no data must be returned. */
  private faultNow(): boolean {
    const f = this.activeFault();
    if (f === 'backend_down') throw new BackendDownError('simulated metrics backend is down (injected fault)', { server: 'simulated' });
    return f === 'no_data';
  }

  private activeFault(): SimulatedFault | null {
    if (this.fault) return this.fault;
    const now = this.clock.now();
    return this.scheduled.find((f) => now >= f.start && now < f.end)?.kind ?? null;
  }

  private evaluate(expr: SimExpr, times: number[]): Series[] {
    switch (expr.kind) {
      case 'selector':
        return this.fleet
          .series()
          .map((key) => ({ key, labels: { __name__: key.metric, environment: key.environment, tier: key.tier, az: key.az } as Labels }))
          .filter(({ key, labels }) => key.metric === expr.metric && matches(labels, expr.matchers))
          .map(({ key, labels }) => ({ labels, timestamps: [...times], values: this.fleet.valuesAt(key, times) }));
      case 'rate':
        // The simulated metrics are already per-second rates: rate() only drops the name.
        return this.evaluate(expr.inner, times).map((s) => ({ ...s, labels: withoutName(s.labels) }));
      case 'agg':
        return aggregate(expr.op, expr.by, this.evaluate(expr.inner, times), times);
    }
  }
}

function withoutName(labels: Labels): Labels {
  const { __name__: _drop, ...rest } = labels;
  return rest;
}

function aggregate(op: 'sum' | 'avg' | 'min' | 'max' | 'count', by: string[] | null, input: Series[], times: number[]): Series[] {
  const groups = new Map<string, { labels: Labels; members: Series[] }>();
  for (const s of input) {
    const labels: Labels = {};
    for (const l of by ?? []) if (s.labels[l] !== undefined) labels[l] = s.labels[l];
    const key = JSON.stringify(labels);
    const g = groups.get(key) ?? { labels, members: [] };
    g.members.push(s);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ labels, members }) => ({
    labels,
    timestamps: [...times],
    values: times.map((_, i) => combine(op, members.map((m) => m.values[i]))),
  }));
}

/** Removes NaN points (samples a silent cell did not export). */
function dropMissing(s: Series): Series {
  const values = Array.from(s.values);
  if (!values.some((v) => Number.isNaN(v))) return s;
  const timestamps = Array.from(s.timestamps);
  const keep = values.map((v) => !Number.isNaN(v));
  return { labels: s.labels, timestamps: timestamps.filter((_, i) => keep[i]), values: values.filter((_, i) => keep[i]) };
}

function combine(op: 'sum' | 'avg' | 'min' | 'max' | 'count', all: number[]): number {
  // Aggregations run over the series present at that instant, as in PromQL; none present: no point.
  const xs = all.filter((x) => !Number.isNaN(x));
  if (xs.length === 0) return NaN;
  switch (op) {
    case 'sum':
      return xs.reduce((a, b) => a + b, 0);
    case 'avg':
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'min':
      return Math.min(...xs);
    case 'max':
      return Math.max(...xs);
    case 'count':
      return xs.length;
  }
}

/** Sample spacing of the simulated backend (15 s). */
export const SIMULATED_SAMPLE_INTERVAL_MS = SAMPLE_INTERVAL_MS;
