import { ManualClock } from '../clock/clock.js';
import { configSchema, type Config } from '../config/schema.js';
import { stageDefs } from '../config/stage-defs.js';
import type { z } from 'zod';
import type { Build } from '../domain/build.js';
import type { Notification } from '../notify/notification.js';
import type { DeployRequest } from '../pipeline/deployer.js';
import { PipelineRunner } from '../pipeline/runner.js';
import { SimulatedDeployer } from '../pipeline/simulated-deployer.js';
import { SimulatedSource } from '../metrics/simulated.js';
import { applyDeployStep } from '../sim/deploy-step.js';
import { SimulatedFleet, type FleetOptions } from '../sim/fleet.js';
import { createStore } from '../store/create.js';
import type { Store } from '../store/store.js';
import { Monitor } from './monitor.js';

type ConfigInput = z.input<typeof configSchema>;

/** Checks over the simulated fleet's metrics (every series carries environment, tier and az). */
export const SIM_CHECKS: NonNullable<ConfigInput['checks']> = [
  // Below 0.5 errors/s a series is "no traffic": a few errors per scrape in staging are noise, not news.
  { name: 'error_rate', query: 'http_errors_rate', direction: 'up', detector: { minVolume: 0.5 } },
  { name: 'latency_p95', query: 'http_latency_p95_ms', direction: 'up' },
  { name: 'request_rate', query: 'http_requests_rate', direction: 'down' },
  { name: 'jobs_failed', query: 'jobs_failed_rate', direction: 'up', detector: { minVolume: 0.5 } },
];

/** A pipeline over the simulated fleet's cells: staging, dogfood, canary, then production 10% (one AZ), 50%, 100%. */
export const SIM_STAGES: ConfigInput['pipeline']['stages'] = [
  { name: 'staging', environment: 'commercial', tier: 'staging', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '5m' },
  { name: 'dogfood', environment: 'commercial', tier: 'dogfood', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '5m' },
  { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '8m' },
  { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bake: '5m' },
  { name: 'prod-50', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 50, bake: '5m' },
  { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '3m' },
];

/** A short pipeline for tests over the simulated fleet: canary (6 min bake), production 10% (one AZ), 100%. */
export const SHORT_SIM_STAGES: ConfigInput['pipeline']['stages'] = [
  { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '6m' },
  { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bake: '4m' },
  { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bake: '3m' },
];

export interface SimRigOptions {
  start: number;
  seed: number;
  /** Overrides of the configuration (stages, checks, policy, monitor). */
  config?: Partial<ConfigInput>;
  stepSeconds?: number;
  log?: (line: string) => void;
  /** Topology of the fleet (default: every environment, tier and AZ). */
  fleet?: Pick<FleetOptions, 'environments' | 'tiers' | 'azs'>;
}

/** A deploy or rollback step that took effect on the fleet, with the time it did. */
export interface FleetStep {
  at: number;
  request: DeployRequest;
}

/**
 * The whole bot over a simulated fleet on a manual clock: PipelineRunner with a simulated deployer
 * that moves builds on the fleet, SimulatedSource, the Monitor, an in-memory SQLite store.
 * Used by the monitor's integration test and by `npm run bench:deploys`.
 */
export class SimRig {
  readonly steps: FleetStep[] = [];
  private constructor(
    /** Every notification the runner and the monitor emitted, in order. */
    readonly notes: Notification[],
    readonly config: Config,
    readonly clock: ManualClock,
    readonly fleet: SimulatedFleet,
    readonly source: SimulatedSource,
    readonly store: Store,
    readonly runner: PipelineRunner,
    readonly monitor: Monitor,
  ) {}

  static async create(opts: SimRigOptions): Promise<SimRig> {
    const config = configSchema.parse({
      pipeline: { tick: '5s', stages: SIM_STAGES },
      metrics: { type: 'simulated', seed: opts.seed },
      checks: SIM_CHECKS,
      ...opts.config,
    });
    const clock = new ManualClock(opts.start);
    const fleet = new SimulatedFleet({ ...opts.fleet, seed: opts.seed, clock });
    const source = new SimulatedSource({ fleet, clock });
    const store = await createStore('sqlite::memory:');
    const holder: { rig?: SimRig } = {};
    const deployer = new SimulatedDeployer({
      clock,
      stepSeconds: opts.stepSeconds ?? 20,
      onDeployed: (req) => holder.rig?.applyStep(req),
    });
    const stages = stageDefs(config);
    const notes: Notification[] = [];
    const runner = new PipelineRunner({ store, deployer, clock, stages, retry: { retries: 2, backoffSeconds: 5 }, onNotify: (n) => notes.push(n), log: opts.log, gate: !config.policy.shadow });
    const monitor = new Monitor({ config, source, clock, store, pipeline: runner, notify: (n) => notes.push(n), log: opts.log });
    const rig = new SimRig(notes, config, clock, fleet, source, store, runner, monitor);
    holder.rig = rig;
    await runner.start({ loop: false });
    return rig;
  }

  /** The fleet learns which build runs where when a step succeeds. */
  private applyStep(req: DeployRequest): void {
    const at = this.clock.now();
    this.steps.push({ at, request: req });
    applyDeployStep(this.fleet, req, at);
  }

  async submit(id: string): Promise<void> {
    const iso = new Date(this.clock.now()).toISOString();
    const build: Build = { id, sha: id.padEnd(40, '0').slice(0, 40), createdAt: iso, receivedAt: iso, pullRequests: [] };
    await this.runner.submitBuild(build);
  }

  /**
   * Moves the clock to `until`: the pipeline ticks every `pipeline.tick`, the monitor every
   * `monitor.tick`, each settling before time moves on.
   */
  async advanceTo(until: number, onMonitorTick?: () => Promise<void> | void): Promise<void> {
    const pipeMs = this.config.pipeline.tick * 1000;
    const monMs = this.config.monitor.tick * 1000;
    while (this.clock.now() < until) {
      await this.clock.advance(pipeMs);
      await this.runner.settle();
      await this.runner.tick();
      await this.runner.settle();
      if (this.clock.now() % monMs < pipeMs) {
        await this.monitor.tick();
        await this.runner.settle();
        await onMonitorTick?.();
      }
    }
  }

  async close(): Promise<void> {
    await this.runner.close();
    await this.store.close();
  }
}
