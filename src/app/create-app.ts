import { registerMonitorMetrics } from '../monitor/monitor-metrics.js';
import { PrometheusSource } from '../metrics/prometheus.js';
import { SystemClock, type Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import { stageDefs } from '../config/stage-defs.js';
import { createMetricsSource } from '../metrics/create-source.js';
import type { MetricsSource } from '../metrics/source.js';
import { Monitor } from '../monitor/monitor.js';
import { createNotifiers } from '../notify/create-notifiers.js';
import { watchPipelineForEvents } from '../notify/event-refresh.js';
import type { Notification } from '../notify/notification.js';
import { Outbox } from '../notify/outbox.js';
import { createSlackClient } from '../notify/slack.js';
import { createDeployer, retryPolicyOf } from '../pipeline/create-deployer.js';
import { PipelineRunner } from '../pipeline/runner.js';
import { buildServer, type ReleasebotServer } from '../server/app.js';
import { registerSlackActions } from '../server/slack-actions.js';
import { applyDeployStep } from '../sim/deploy-step.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { createStore } from '../store/create.js';
import type { Store } from '../store/store.js';

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
  runner: PipelineRunner;
  monitor: Monitor;
  outbox: Outbox;
  source: MetricsSource;
  server: ReleasebotServer;
  /** The simulated fleet, when metrics or the deployer are simulated. */
  fleet?: SimulatedFleet;
  /**
   * Listen and start the loops; resolves with the UI's URL. With `loops: false` nothing runs on
   * its own: the caller steps the pipeline, monitor and outbox (deterministic runs on a ManualClock).
   */
  start(opts?: { loops?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** Waits for `p`, but no longer than `ms`; the timer does not keep the process alive. */
function within(p: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([p, new Promise((r) => setTimeout(r, ms).unref())]);
}

/**
 * Builds every component from the configuration. Dependencies are passed in, never built inside
 * the components, so the demo, `serve` and the tests wire the same code differently only here.
 */
export async function createApp(opts: AppOptions): Promise<App> {
  const { config, clock, log } = opts;
  const simulated = config.metrics.type === 'simulated' || config.deployer.type === 'simulated';
  const fleet = simulated ? new SimulatedFleet({ seed: config.metrics.type === 'simulated' ? config.metrics.seed : 1, clock }) : undefined;
  const store = await createStore(config.store.url);
  const slackClient = config.notify.slack ? createSlackClient(config.notify.slack) : undefined;
  const wallClock = opts.wallClock ?? new SystemClock();
  const notifiers = createNotifiers(config.notify, { store, slackClient, write: opts.write ?? log, log, clock: wallClock });
  const outbox = new Outbox({ store, clock: opts.outboxClock ?? clock, notifiers, log });
  const notify = (n: Notification): void => void outbox.enqueue(n);
  const deployer = createDeployer(config.deployer, { clock, log, onDeployed: fleet ? (req) => applyDeployStep(fleet, req, clock.now()) : undefined });
  const stages = stageDefs(config);
  const runner = new PipelineRunner({
    store, deployer, clock, stages, retry: retryPolicyOf(config.deployer), onNotify: notify, log, tickMs: config.pipeline.tick * 1000,
    // The monitor reports promotion-gate verdicts; in shadow mode it only watches, so nothing waits for them.
    gate: !config.policy.shadow,
  });
  // Event messages follow rollbacks, holds and resumes, whoever made them.
  const refresher = watchPipelineForEvents({ pipeline: runner, store, notify, log });
  const source = createMetricsSource(config.metrics, { clock, fleet });
  const monitor = new Monitor({ config, source, clock, store, pipeline: runner, notify, log });
  const slack = config.notify.slack;
  const server = buildServer({
    config: config.server,
    store,
    pipeline: runner,
    charts: monitor,
    clock,
    metricsOnline: () => source.isOnline(),
    registerExtra: slack && slackClient
      ? (app) => registerSlackActions(app, {
          signingSecret: slack.signingSecret, actions: runner, store, clock, signatureClock: wallClock, slack: slackClient,
          allowedUsers: slack.allowedUsers, allowedGroups: slack.allowedGroups, log,
          onEventChanged: (e) => notify({ type: 'event', key: `event:${e.id}:ack:${e.acknowledgedBy ?? ''}`, event: e, shadow: false }),
        })
      : undefined,
  });
  registerMonitorMetrics(server.releasebotMetrics.registry, {
    figures: () => monitor.fetchFigures(),
    ...(source instanceof PrometheusSource ? { bytesFetched: () => source.bytesRead } : {}),
  });
  monitor.registerMetrics(server.releasebotMetrics.registry);
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  return {
    config, clock, store, runner, monitor, outbox, source, server, fleet,
    async start(startOpts = {}) {
      const run = startOpts.loops !== false;
      await runner.start({ loop: run });
      if (run) loops.push(monitor.run(abort.signal), outbox.run(abort.signal));
      const address = await server.listen({ host: config.server.host, port: config.server.port });
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      abort.abort();
      refresher.stop();
      await server.close();
      await runner.close();
      await Promise.race([Promise.allSettled(loops), new Promise((r) => setTimeout(r, 2000))]);
      // One more delivery pass before the store closes: what the last steps queued goes out now, not at the next start.
      await within(outbox.runOnce().catch(() => undefined), 5000);
      await store.close();
    },
  };
}
