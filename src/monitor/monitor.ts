import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { DeployEvent, Signal } from '../domain/events.js';
import type { MetricsSource } from '../metrics/source.js';
import type { Notification } from '../notify/notification.js';
import type { PipelineActions } from '../pipeline/control.js';
import type { Observation } from '../pipeline/observation.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import type { ChartProvider, CheckChart } from './chart.js';
import { chartsForEvent } from './charts.js';
import { deployCheckOutcome, type DeployCheckOutcome, type TrackedDeploy } from './deploy-signals.js';
import { addSignals, closeIfQuiet, type EventTiming } from './events.js';
import { DEFAULT_STEP_MS, withSeasonal, type CheckFetch, type FetchMode, type WindowFetcher } from './fetch.js';
import { WindowCache } from '../metrics/window-cache.js';
import { FetchModePlanner } from './fetch-mode.js';
import { fetchChecksForTick, type FetchFigures } from './tick-fetch.js';
import { EventActions, MONITOR_ACTOR } from './event-actions.js';
import { NoDataTracker } from './no-data.js';
import { DetectorStates } from './detector-states.js';
import { deploysInProgress } from './scope.js';
import { GateKeeper } from './gate-keeper.js';
import { TickTiming, withinTick } from './tick-timing.js';
import { probeNewest, type ProbedCell } from './sample-probe.js';
import type { GateRecord } from '../domain/gate.js';
import type { Registry } from 'prom-client';

/** The pipeline as the monitor needs it: its state, observations, and the shared actions. */
export type MonitorPipeline = PipelineActions & {
  snapshot(): PipelineState;
  observe(obs: Observation): Promise<unknown>;
};

export interface MonitorDeps {
  config: Config;
  source: MetricsSource;
  clock: Clock;
  store: Store;
  pipeline: MonitorPipeline;
  notify: (n: Notification) => void;
  log?: (line: string) => void;
  /** Rolling windows in front of `source`; default: a WindowCache (only new samples are fetched each tick). */
  fetcher?: WindowFetcher;
  /** Resolution of fetched series; default 15 s. */
  stepMs?: number;
}

/** What one tick saw and did (for logs, tests and the bench). */
export interface TickReport {
  at: number;
  deploys: TrackedDeploy[];
  outcomes: Array<{ deploy: string } & DeployCheckOutcome>;
  /** Events changed this tick (opened, revised, closed), as stored. */
  events: DeployEvent[];
  /** Promotion-gate evaluations of builds whose bake had ended. */
  gates: GateRecord[];
}

const deployKey = (buildId: string, stage: string) => `${buildId}@${stage}`;

/**
 * Watches the deploys in progress: each tick fetches every check, judges every series, sorts
 * them into in scope / reference, groups in-scope breaches into events (severity, confidence),
 * applies the policy through the pipeline, stores events and emits notifications.
 */
export class Monitor implements ChartProvider {
  private readonly timing: EventTiming;
  private readonly fetcher: WindowFetcher;
  private readonly log: (line: string) => void;
  private readonly deployAt = new Map<string, number>();
  private readonly open = new Map<string, DeployEvent>();
  private readonly actions: EventActions;
  private readonly noData: NoDataTracker;
  private readonly cache?: WindowCache;
  private readonly planner: FetchModePlanner;
  private readonly modes = new Map<string, FetchMode>();
  private readonly warming = new Map<string, Promise<CheckFetch>>();
  private readonly gates: GateKeeper;
  private readonly tickTiming: TickTiming;
  private readonly ready = new Set<string>();
  /** The default detector's state per series, kept across ticks (only new samples are fed). */
  private readonly states = new DetectorStates();
  private loaded = false;

  constructor(private readonly deps: MonitorDeps) {
    const m = deps.config.monitor;
    this.timing = { groupingWindowMs: m.groupingWindow * 1000, quietPeriodMs: m.quietPeriod * 1000 };
    if (!deps.fetcher) this.cache = new WindowCache({ source: deps.source, stepMs: deps.stepMs ?? DEFAULT_STEP_MS });
    this.fetcher = deps.fetcher ?? this.cache!;
    this.planner = new FetchModePlanner({ mode: m.fetchMode, pushdownAtSeries: m.pushdownAtSeries }, deps.source);
    this.log = deps.log ?? (() => {});
    this.actions = new EventActions(deps);
    this.noData = new NoDataTracker(deps);
    this.gates = new GateKeeper({ config: deps.config, store: deps.store, pipeline: deps.pipeline, stepMs: deps.stepMs ?? DEFAULT_STEP_MS, log: this.log });
    this.tickTiming = new TickTiming(deps.clock, m.tick * 1000, this.log);
  }

  /** Adds the monitor's own metrics (`releasebot_monitor_tick_seconds`) to a registry. */
  registerMetrics(registry: Registry): void {
    this.tickTiming.register(registry);
  }

  /** Events currently open (a copy). */
  openEvents(): DeployEvent[] {
    return [...this.open.values()];
  }

  /** Runs `tick()` every `monitor.tick` seconds of the clock until `signal` aborts. A failing tick is logged, not fatal. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (err) {
        this.log(`monitor: tick failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (signal.aborted) break;
      await this.deps.clock.sleep(this.deps.config.monitor.tick * 1000, signal);
    }
  }

  /** One evaluation of every check for every deploy in progress (timed; a slow tick is logged). */
  tick(): Promise<TickReport> {
    return this.tickTiming.time(() => this.evaluate(), (r) => `${r?.deploys.length ?? '?'} deploys, ${this.deps.config.checks.length} checks`);
  }

  private async evaluate(): Promise<TickReport> {
    const now = this.deps.clock.now();
    await this.loadOpenEvents();
    const state = this.deps.pipeline.snapshot();
    const deploys = this.track(state, now);
    const report: TickReport = { at: now, deploys, outcomes: [], events: [], gates: [] };
    const signalsByDeploy = new Map<string, Signal[]>();
    if (deploys.length > 0) {
      // A build whose bake ended is judged on an answer from the backend now, not on the cache alone.
      const [fetched, probes] = await Promise.all([this.fetchAll(now, deploys.some((d) => d.phase === 'ready')), this.probeAll(now)]);
      for (const d of deploys) {
        const key = deployKey(d.buildId, d.stage);
        const signals: Signal[] = [];
        for (const check of this.deps.config.checks) {
          const names = this.deps.config.scopeLabels;
          let o = deployCheckOutcome(check, fetched.get(check.name), state, d, now, names, this.states);
          if (o.needsSeasonal) {
            fetched.set(check.name, await withSeasonal(this.fetcher, check, now, fetched.get(check.name)!));
            o = deployCheckOutcome(check, fetched.get(check.name), state, d, now, names, this.states);
          }
          report.outcomes.push({ deploy: key, ...o });
          const g = this.gates.checkDeploy(state, d, check, fetched.get(check.name), o, now, probes.get(check.name));
          signals.push(...o.signals, ...g.dark);
          await this.noData.observe(d, check.name, o.missing ?? g.inconclusive, now);
        }
        signalsByDeploy.set(key, signals);
      }
    }
    this.states.sweep(now);
    await this.noData.settle(deploys, now);
    for (const d of deploys) {
      const key = deployKey(d.buildId, d.stage);
      const r = addSignals(this.open.get(key), { ...d }, signalsByDeploy.get(key) ?? [], now, this.timing, `ev-${d.buildId}-${d.stage}-${now}`);
      if (r) await this.update(key, r.event, r.revised, state, report);
    }
    for (const [key, e] of this.open) {
      const closed = closeIfQuiet(e, now, this.timing);
      if (closed) await this.update(key, closed, true, state, report);
    }
    await this.actions.releaseStale(state, this.open);
    report.gates = await this.gates.report(state, deploys, now);
    if (!this.deps.config.policy.shadow) {
      await this.actions.liftResolvedStop(this.deps.pipeline.snapshot(), (reason) => this.deps.pipeline.resume(MONITOR_ACTOR, reason));
    }
    return report;
  }

  async chartsForEvent(eventId: string): Promise<CheckChart[]> {
    const event = this.openEvents().find((e) => e.id === eventId) ?? (await this.deps.store.getEvent(eventId));
    if (!event) return [];
    return chartsForEvent(event, { config: this.deps.config, fetcher: this.deps.source, now: this.deps.clock.now(), stepMs: this.deps.stepMs ?? DEFAULT_STEP_MS });
  }

  private async update(key: string, event: DeployEvent, revised: boolean, state: PipelineState, report: TickReport): Promise<void> {
    const acted = await this.actions.apply(event, state, revised, report.at);
    if (acted.status === 'open') this.open.set(key, acted);
    else this.open.delete(key);
    await this.deps.store.upsertEvent(acted);
    if (revised || acted.revision !== event.revision) {
      report.events.push(acted);
      this.log(`monitor: event ${acted.id} r${acted.revision} ${acted.status} ${acted.summary}`);
    }
  }

  /** Every check's series; `fresh` reads the current windows from the backend now (the promotion gate). */
  private async fetchAll(now: number, fresh: boolean): Promise<Map<string, CheckFetch>> {
    const ctx = { fetcher: this.fetcher, cache: this.cache, planner: this.planner, modes: this.modes, warming: this.warming, ready: this.ready, source: this.deps.source, clock: this.deps.clock };
    const fetched = await fetchChecksForTick(ctx, this.deps.config.checks, now, { stepMs: this.deps.stepMs ?? DEFAULT_STEP_MS, waitMs: this.deps.config.monitor.tick * 1000, fresh });
    for (const [name, f] of fetched) if (!f.ok) this.log(`monitor: check ${name}: ${f.error.message}`);
    return fetched;
  }

  /** Real sample times per scope cell for checks with range selectors (sample-probe.ts); a failed probe is left out. */
  private async probeAll(now: number): Promise<Map<string, ProbedCell[]>> {
    const names = this.deps.config.scopeLabels;
    const out = new Map<string, ProbedCell[]>();
    await Promise.all(
      this.deps.config.checks.map(async (c) => {
        const p = await withinTick(probeNewest(this.deps.source, c, now, names), this.deps.config.monitor.tick * 1000, `probe ${c.name}`).catch(() => undefined);
        if (p) out.set(c.name, p);
      }),
    );
    return out;
  }

  /** Per check: fetch mode, series, samples and bytes held (for /metrics). */
  fetchFigures(): FetchFigures[] {
    const held = this.cache?.held();
    return this.deps.config.checks.map((c) => {
      const h = held?.get(c.query);
      return { check: c.name, mode: this.modes.get(c.name) ?? 'raw', series: h?.series ?? 0, samples: h?.samples ?? 0, bytes: h?.bytes ?? 0 };
    });
  }

  /** Deploys in progress with the moment each reached its stage (first seen deploying, else its bake start) and its last step ended. */
  private track(state: PipelineState, now: number): TrackedDeploy[] {
    const live = new Set<string>();
    const out = deploysInProgress(state).map((d) => {
      const key = deployKey(d.buildId, d.stage);
      live.add(key);
      let at = this.deployAt.get(key);
      if (at === undefined) {
        at = Math.min(d.since, now);
        this.deployAt.set(key, at);
      }
      const settled = this.gates.deployFinishedAt(state, d);
      const heldSince = state.slots[d.stageIndex]?.buildId === d.buildId ? state.slots[d.stageIndex].heldSince : undefined;
      return { ...d, deployAt: at, ...(settled !== undefined ? { settledAt: settled } : {}), ...(heldSince !== undefined ? { heldSince } : {}) };
    });
    for (const key of this.deployAt.keys()) if (!live.has(key)) this.deployAt.delete(key);
    return out;
  }

  /** After a restart, open events continue from the store. */
  private async loadOpenEvents(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    for (const e of await this.deps.store.listEvents({ status: 'open' })) this.open.set(deployKey(e.buildId, e.stage), e);
  }
}
