import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/clock.js';
import { ReleasebotError } from '../domain/errors.js';
import { DeploymentHistory, type BuildShares } from './deployments.js';
import { hashString, normal3, poisson3 } from './noise.js';
import { DAILY_SPIKE, dailyLoad, spikeLevel } from './seasonality.js';
import { FleetSituations } from './situations.js';
import { lingeringShare } from './linger.js';
import {
  AZ_FACTOR, BASE_ERROR_RATIO, ENVIRONMENT_FACTOR, FLEET_AZS, FLEET_ENVIRONMENTS, FLEET_METRICS, FLEET_TIERS,
  SAMPLE_INTERVAL_MS, TIER_JOB_FAILURES, TIER_LATENCY_MS, TIER_TRAFFIC, allCells, cellKey,
  type FleetCell, type FleetMetric, type FleetSeriesKey,
} from './topology.js';

/** A deploy step as the simulated deployer reports it: `buildId` now runs on `percent`% of these cells. */
export interface FleetDeployment {
  environment: string;
  tier: string;
  azs: string[];
  percent: number;
  buildId: string;
  /** When it took effect; defaults to the fleet clock's now. */
  at?: number;
}

/** A rollback: the share `buildId` had in these cells now runs `targetBuildId` (null: the baseline build). */
export interface FleetRollback {
  environment: string;
  tier: string;
  azs: string[];
  buildId: string;
  targetBuildId: string | null;
  at?: number;
}

/** How a bad build hurts: these metrics are multiplied by `factor` on the share of the fleet it runs on. */
export interface BadBuildEffect {
  /** Defaults to `['http_errors_rate']`. */
  metrics?: FleetMetric[];
  factor: number;
  /** The symptoms fade over this long after the build leaves a cell (default 0: they end at once). */
  lingerMs?: number;
  /** Only in these AZs (a build that breaks on what one AZ has); by default everywhere it runs. */
  azs?: string[];
}

/** An outside incident: every matching series is multiplied by `factor` during [start, end). */
export interface FleetIncident {
  start: number;
  end: number;
  metrics: FleetMetric[];
  factor: number;
  /** Limit to part of the fleet; by default it hits every environment, tier and AZ. */
  scope?: Partial<FleetCell>;
}

export interface FleetOptions {
  seed?: number;
  /** Used only to timestamp deploys reported without `at`. */
  clock?: Clock;
  environments?: readonly string[];
  tiers?: readonly string[];
  azs?: readonly string[];
}

/**
 * A deterministic simulated fleet. Every sample is a pure function of (seed, series, time,
 * recorded deploys, bad builds, incidents): daily seasonality, a daily 14:00 UTC spike,
 * noise, Poisson counts for low-traffic series, and errors/latency raised where a bad build runs,
 * in proportion to the share it runs on. Samples sit on a 15 s grid.
 */
export class SimulatedFleet {
  readonly seed: number;
  readonly cells: readonly FleetCell[];
  /** Traffic trends and restart dips (situations.ts); none by default. */
  readonly situations = new FleetSituations();
  private readonly clock: Clock;
  private readonly deployments = new DeploymentHistory();
  private readonly badBuilds = new Map<string, Required<Omit<BadBuildEffect, 'azs'>> & Pick<BadBuildEffect, 'azs'>>();
  private readonly incidents: FleetIncident[] = [];
  private readonly seriesHash = new Map<string, number>();
  private readonly silencers: Array<(cell: FleetCell, t: number) => boolean> = [];
  private maxLingerMs = 0;

  constructor(opts: FleetOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.clock = opts.clock ?? new SystemClock();
    this.cells = allCells(opts.environments ?? FLEET_ENVIRONMENTS, opts.tiers ?? FLEET_TIERS, opts.azs ?? FLEET_AZS);
  }

  /** Every series the fleet emits, in a stable order (metric-major). */
  series(): FleetSeriesKey[] {
    return FLEET_METRICS.flatMap((metric) => this.cells.map((c) => ({ metric, ...c })));
  }

  /** Record a deploy step. Unknown environment/tier/AZ names are an error, not a silent no-op. */
  setDeployment(d: FleetDeployment): void {
    const at = d.at ?? this.clock.now();
    for (const cell of this.cellsOf(d.environment, d.tier, d.azs)) this.deployments.setShare(cell, d.buildId, d.percent, at);
  }

  /** Record a rollback of `buildId` in these cells. */
  rollback(r: FleetRollback): void {
    const at = r.at ?? this.clock.now();
    for (const cell of this.cellsOf(r.environment, r.tier, r.azs)) this.deployments.replace(cell, r.buildId, r.targetBuildId, at);
  }

  /**
   * Declare `buildId` bad. Badness is a property of the build: it shows wherever and
   * whenever the build runs (also in samples asked for later), from its first second there.
   */
  markBadBuild(buildId: string, effect: BadBuildEffect): void {
    if (!(effect.factor > 0)) throw new ReleasebotError('BAD_REQUEST', `markBadBuild(${buildId}): factor must be > 0, got ${effect.factor}`);
    this.badBuilds.set(buildId, { metrics: effect.metrics ?? ['http_errors_rate'], factor: effect.factor, lingerMs: effect.lingerMs ?? 0, ...(effect.azs ? { azs: [...effect.azs] } : {}) });
    this.maxLingerMs = Math.max(this.maxLingerMs, effect.lingerMs ?? 0);
  }

  /** Add an outside incident (not caused by any deploy). */
  addIncident(incident: FleetIncident): void {
    if (!(incident.end > incident.start)) throw new ReleasebotError('BAD_REQUEST', `addIncident: end must be after start`);
    this.incidents.push(incident);
  }

  /**
   * Make part of the fleet stop reporting: while `silent(cell, t)` is true the cell's series have no
   * samples (a crashed process exports nothing). Fault scenarios live in sim/faults.ts.
   */
  addSilencer(silent: (cell: FleetCell, t: number) => boolean): void {
    this.silencers.push(silent);
  }

  /** False while the cell's series have no samples at `t` (on the 15 s grid). */
  reports(cell: FleetCell, t: number): boolean {
    const ts = Math.floor(t / SAMPLE_INTERVAL_MS) * SAMPLE_INTERVAL_MS;
    return !this.silencers.some((silent) => silent(cell, ts));
  }

  /** Which builds run on one cell at time `t` (shares summing to 1; `{}` means the baseline build only). */
  buildShares(cell: FleetCell, t: number): BuildShares {
    return this.deployments.sharesAt(cell, t);
  }

  /** The sample of one series on the 15 s grid point at or before `t`. */
  valueAt(key: FleetSeriesKey, t: number): number {
    return this.sample(key, this.hashOf(key), cellKey(key), t);
  }

  /**
   * The samples of one series at each of `times` (NaN where its cell does not report, see
   * `reports`): point for point what `reports` and `valueAt` give. Why it exists: the series hash
   * and cell key are worked out once per series instead of once per sample, which is most of the
   * cost of a range query.
   */
  valuesAt(key: FleetSeriesKey, times: readonly number[]): number[] {
    const h = this.hashOf(key);
    const cell = cellKey(key);
    const out = new Array<number>(times.length);
    for (let i = 0; i < times.length; i++) out[i] = this.reports(key, times[i]) ? this.sample(key, h, cell, times[i]) : NaN;
    return out;
  }

  private sample(key: FleetSeriesKey, h: number, cell: string, t: number): number {
    const slot = Math.floor(t / SAMPLE_INTERVAL_MS);
    const ts = slot * SAMPLE_INTERVAL_MS;
    const effect = this.effectFactor(key, cell, ts) * this.situations.restartFactor(key, ts, this.deployments, cell);
    const traffic = this.expectedTraffic(key, ts);
    switch (key.metric) {
      case 'http_requests_rate':
        return Math.max(0, traffic * effect * (1 + 0.03 * normal3(this.seed, h, slot)));
      case 'http_errors_rate': {
        const windowSeconds = SAMPLE_INTERVAL_MS / 1000;
        return poisson3(traffic * BASE_ERROR_RATIO * effect * windowSeconds, this.seed, h, slot) / windowSeconds;
      }
      case 'http_latency_p95_ms': {
        const load = traffic / this.trafficScale(key);
        const spike = 1 + (DAILY_SPIKE.latency - 1) * spikeLevel(ts);
        // Percentiles of few requests are noisy: the relative noise grows as traffic falls.
        const noise = 0.04 + 0.5 / Math.sqrt(traffic * 15 + 1);
        const base = TIER_LATENCY_MS[key.tier] ?? 120;
        return Math.max(1, base * (0.85 + 0.15 * load) * spike * effect * (1 + noise * normal3(this.seed, h, slot)));
      }
      case 'jobs_failed_rate': {
        const rate = (TIER_JOB_FAILURES[key.tier] ?? 0.005) * (ENVIRONMENT_FACTOR[key.environment] ?? 1) * effect;
        return poisson3(rate * 15, this.seed, h, slot) / 15;
      }
    }
  }

  private expectedTraffic(key: FleetSeriesKey, t: number): number {
    const spike = 1 + (DAILY_SPIKE.traffic - 1) * spikeLevel(t);
    return this.trafficScale(key) * dailyLoad(t) * spike * this.situations.trafficFactor(key, t);
  }

  private trafficScale(c: FleetCell): number {
    return (TIER_TRAFFIC[c.tier] ?? 10) * (ENVIRONMENT_FACTOR[c.environment] ?? 1) * (AZ_FACTOR[c.az] ?? 1);
  }

  /** Multiplier from bad builds (by share) and incidents for one series at `t`. */
  private effectFactor(key: FleetSeriesKey, cell: string, t: number): number {
    let f = 1;
    if (this.badBuilds.size > 0) {
      const shares = this.deployments.sharesAt(key, t, cell);
      // Why lingering: a rolled-back build's symptoms fade over a rate window, not at once. Only a
      // cell whose builds changed within the longest linger needs the (costlier) look back.
      const recent = this.maxLingerMs > 0 && this.deployments.lastChangeAt(key, t, cell) > t - this.maxLingerMs;
      // Only builds that ran on the cell within the linger can show (in the order they were marked, as products are).
      const builds = recent ? this.badRanWithin(key, cell, t) : Object.keys(shares);
      for (const build of builds) {
        const bad = this.badBuilds.get(build);
        if (!bad || !bad.metrics.includes(key.metric) || (bad.azs && !bad.azs.includes(key.az))) continue;
        const share = recent ? lingeringShare(this.deployments, key, build, t, bad.lingerMs, cell) : shares[build];
        if (share) f *= 1 + (bad.factor - 1) * share;
      }
    }
    for (const inc of this.incidents) {
      if (t < inc.start || t >= inc.end || !inc.metrics.includes(key.metric)) continue;
      const s = inc.scope;
      if (s && ((s.environment && s.environment !== key.environment) || (s.tier && s.tier !== key.tier) || (s.az && s.az !== key.az))) continue;
      f *= inc.factor;
    }
    return f;
  }

  /** The bad builds that had a share on the cell within the longest linger before `t`, in the order they were marked. */
  private badRanWithin(key: FleetSeriesKey, cell: string, t: number): string[] {
    const ran = this.deployments.buildsBetween(key, t - this.maxLingerMs, t, cell);
    const out: string[] = [];
    for (const b of ran) if (this.badBuilds.has(b)) out.push(b);
    // The Map's order (first marked first): a product of factors is order-sensitive in its last bits.
    if (out.length > 1) {
      const order = [...this.badBuilds.keys()];
      out.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    }
    return out;
  }

  private cellsOf(environment: string, tier: string, azs: string[]): FleetCell[] {
    const found = this.cells.filter((c) => c.environment === environment && c.tier === tier && azs.includes(c.az));
    if (found.length !== azs.length) {
      throw new ReleasebotError('BAD_REQUEST', `simulated fleet has no cell for environment=${environment} tier=${tier} azs=${azs.join(',')}`);
    }
    return found;
  }

  private hashOf(key: FleetSeriesKey): number {
    const k = `${key.metric}|${key.environment}|${key.tier}|${key.az}`;
    let h = this.seriesHash.get(k);
    if (h === undefined) {
      h = hashString(k);
      this.seriesHash.set(k, h);
    }
    return h;
  }
}
