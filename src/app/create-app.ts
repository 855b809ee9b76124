import { registerMonitorMetrics } from '../monitor/monitor-metrics.js';
import { PrometheusSource } from '../metrics/prometheus.js';
import { SystemClock, type Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import { createMetricsSource } from '../metrics/create-source.js';
import type { MetricsSource } from '../metrics/source.js';
import type { Monitor } from '../monitor/monitor.js';
import { createNotifiers } from '../notify/create-notifiers.js';
import { Outbox } from '../notify/outbox.js';
import { createSlackClient } from '../notify/slack.js';
import type { PipelineControl } from '../pipeline/control.js';
import type { CloseSummary, PipelineRunner } from '../pipeline/runner.js';
import { buildServer, type ReleasebotServer } from '../server/app.js';
import { registerSlackActions } from '../server/slack-actions.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { createStore } from '../store/create.js';
import type { Store } from '../store/store.js';
import { ReleasebotError } from '../domain/errors.js';
import { leaderParts, type LeaderParts } from './leader-parts.js';
import { createReplica, replicasEnabled, type Replica } from './replica-app.js';

export interface AppOptions {
  config: Config;
  /** The clock everything runs on (virtual in the demo, system time in `serve`). */
  clock: Clock;
  /** Operational log lines. */
  log: (line: string) => void;
  /** Where the console notifier writes (the demo's terminal view, or the log). */
  write?: (line: string) => void;
  /** Clock for outbox retry waits; a real workspace wants wall time even when the pipeline runs virtual. */
  outboxClock?: Clock;
  /** Wall clock for Slack request signatures and lookup caches (Slack signs in real time, even in the demo). Default: system clock. */
  wallClock?: Clock;
}

/** The whole bot, wired: store, pipeline runner, deployer, metrics, monitor, notifiers, HTTP server. */
export interface App {
  config: Config;
  clock: Clock;
  store: Store;
  /** The pipeline as the API sees it (the runner, or with replicas the leader's runner or the stored state). */
  pipeline: PipelineControl;
  /** The runner, monitor and outbox of the one instance; with replicas those of the leader (a follower throws CONFLICT). */
  readonly runner: PipelineRunner;
  readonly monitor: Monitor;
  readonly outbox: Outbox;
  /** `single` (one process), or `leader` / `follower` of replicas. */
  role(): 'single' | 'leader' | 'follower';
  source: MetricsSource;
  server: ReleasebotServer;
  /** The simulated fleet, when metrics or the deployer are simulated. */
  fleet?: SimulatedFleet;
  /**
   * Listen and start the loops; resolves with the UI's URL. With `loops: false` nothing runs on
   * its own: the caller steps the pipeline, monitor and outbox (deterministic runs on a ManualClock).
   */
  start(opts?: { loops?: boolean }): Promise<string>;
  /**
   * Stop: no more HTTP requests, loops or new deploy steps; a running step gets `drainMs` of clock
   * time to finish (then it is handed over to the next start); the outbox delivers what is due once
   * more; the store closes. Resolves with what happened to the steps that were running; undefined
   * for replicas, whose leader hands its steps over to the next leader at once.
   */
  close(opts?: { drainMs?: number }): Promise<CloseSummary | undefined>;
}

/** Waits for `p`, but no longer than `ms`; the timer does not keep the process alive. */
function within(p: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([p, new Promise((r) => setTimeout(r, ms).unref())]);
}

/**
 * Builds every component from the configuration. Dependencies are passed in, never built inside
 * the components, so the demo, `serve` and the tests wire the same code differently only here.
 * With a PostgreSQL store (replicas.enabled) the process is one of several replicas: the pipeline,
 * monitor and outbox run only while it leads (src/app/replica-app.ts).
 */
export async function createApp(opts: AppOptions): Promise<App> {
  const { config, clock, log } = opts;
  const replicated = replicasEnabled(config);
  const simulated = config.metrics.type === 'simulated' || config.deployer.type === 'simulated';
  const fleet = simulated ? new SimulatedFleet({ seed: config.metrics.type === 'simulated' ? config.metrics.seed : 1, clock }) : undefined;
  const store = await createStore(config.store.url);
  const slackClient = config.notify.slack ? createSlackClient(config.notify.slack) : undefined;
  const wallClock = opts.wallClock ?? new SystemClock();
  const source = createMetricsSource(config.metrics, { clock, fleet });
  const partsDeps = { config, clock, log, store, source, fleet, slackClient, write: opts.write, outboxClock: opts.outboxClock, wallClock };
  const single: LeaderParts | undefined = replicated ? undefined : leaderParts(partsDeps);
  const replica: Replica | undefined = replicated ? createReplica(partsDeps) : undefined;
  const current = (): LeaderParts => {
    const p = single ?? replica!.parts();
    if (!p) throw new ReleasebotError('CONFLICT', 'this replica is a follower: the leader runs the pipeline', { role: 'follower' });
    return p;
  };
  // Slack acknowledgements enqueue event messages on any replica; only the leader's outbox delivers them.
  const outbox = single?.outbox ?? new Outbox({ store, clock: opts.outboxClock ?? clock, notifiers: createNotifiers(config.notify, { store, slackClient, write: opts.write ?? log, log, clock: wallClock }), log });
  const pipeline: PipelineControl = single?.runner ?? replica!.pipeline;
  const role = (): 'single' | 'leader' | 'follower' => replica?.leadership.role() ?? 'single';
  const slack = config.notify.slack;
  const server = buildServer({
    config: config.server,
    store,
    pipeline,
    charts: single?.monitor ?? replica!.charts,
    clock,
    metricsOnline: () => source.isOnline(),
    role: () => ({ role: role(), ...(replica ? { holder: replica.leadership.holder() } : {}) }),
    registerExtra: slack && slackClient
      ? (app) => registerSlackActions(app, {
          signingSecret: slack.signingSecret, actions: pipeline, store, clock, signatureClock: wallClock, slack: slackClient,
          allowedUsers: slack.allowedUsers, allowedGroups: slack.allowedGroups, log,
          onEventChanged: (e) => void outbox.enqueue({ type: 'event', key: `event:${e.id}:ack:${e.acknowledgedBy ?? ''}`, event: e, shadow: false }),
        })
      : undefined,
  });
  registerMonitorMetrics(server.releasebotMetrics.registry, {
    figures: () => (single ?? replica!.parts())?.monitor.fetchFigures() ?? [],
    ...(source instanceof PrometheusSource ? { bytesFetched: () => source.bytesRead } : {}),
  });
  if (single) single.monitor.registerMetrics(server.releasebotMetrics.registry);
  return {
    config, clock, store, source, server, fleet, pipeline, role,
    get runner() {
      return current().runner;
    },
    get monitor() {
      return current().monitor;
    },
    get outbox() {
      return single?.outbox ?? current().outbox;
    },
    async start(startOpts = {}) {
      const run = startOpts.loops !== false;
      if (single) await single.start(run);
      else if (!run) throw new ReleasebotError('CONFLICT', 'replicas run their own loops: start({ loops: false }) needs a single instance (replicas.enabled: false)');
      else await replica!.start();
      const address = await server.listen({ host: config.server.host, port: config.server.port });
      return address.replace('[::1]', 'localhost');
    },
    async close(closeOpts = {}) {
      await server.close();
      let summary: CloseSummary | undefined;
      if (single) {
        summary = await single.stop({ drainMs: closeOpts.drainMs });
        // The loops wake from their sleep on the stop; the bound covers a tick stuck in a store call.
        await single.loopsEnded(2000);
      } else await replica!.close();
      // One more delivery pass before the store closes: what the last steps queued (and is still
      // being written) goes out now, not at the next start.
      const flush = single ? single.runner.settle().then(() => outbox.idle()) : outbox.idle();
      if (role() !== 'follower') await within(flush.then(() => outbox.runOnce()).catch(() => undefined), 5000);
      await store.close();
      return summary;
    },
  };
}
