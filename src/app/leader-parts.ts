import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import { stageDefs } from '../config/stage-defs.js';
import type { MetricsSource } from '../metrics/source.js';
import { Monitor } from '../monitor/monitor.js';
import { createNotifiers } from '../notify/create-notifiers.js';
import { watchPipelineForEvents } from '../notify/event-refresh.js';
import type { Notification } from '../notify/notification.js';
import { Outbox } from '../notify/outbox.js';
import { createDeployer, retryPolicyOf } from '../pipeline/create-deployer.js';
import { PipelineRunner, type CloseSummary } from '../pipeline/runner.js';
import { applyDeployStep } from '../sim/deploy-step.js';
import type { SimulatedFleet } from '../sim/fleet.js';
import type { Fence, Store } from '../store/store.js';

export interface LeaderPartsDeps {
  config: Config;
  clock: Clock;
  log: (line: string) => void;
  /** The store the parts write to: with replicas, the leader's fenced view. */
  store: Store;
  source: MetricsSource;
  fleet?: SimulatedFleet;
  slackClient?: WebClient;
  write?: (line: string) => void;
  outboxClock?: Clock;
  wallClock: Clock;
  /** With replicas: the leader's lease and token, checked on every state write; builds stored by any replica are taken up. */
  fence?: Fence;
}

/** What the one instance, or the leader of several replicas, runs: the pipeline, the monitor and the outbox. */
export interface LeaderParts {
  runner: PipelineRunner;
  monitor: Monitor;
  outbox: Outbox;
  /** Start the runner (loading and recovering the stored state) and, unless `loops` is false, the loops. */
  start(loops: boolean): Promise<void>;
  /**
   * Stop the loops and the runner: deploy steps running get `drainMs` to finish (default 0), the
   * rest are aborted and re-run by the next start or leader.
   */
  stop(opts?: { drainMs?: number }): Promise<CloseSummary>;
  /** Resolves when the loops have ended, or after `ms`. */
  loopsEnded(ms: number): Promise<void>;
}

/** Builds the leader's components from the configuration on `deps.store`. */
export function leaderParts(deps: LeaderPartsDeps): LeaderParts {
  const { config, clock, log, store, fleet } = deps;
  const notifiers = createNotifiers(config.notify, { store, slackClient: deps.slackClient, write: deps.write ?? log, log, clock: deps.wallClock });
  const outbox = new Outbox({ store, clock: deps.outboxClock ?? clock, notifiers, log });
  const notify = (n: Notification): void => void outbox.enqueue(n);
  const deployer = createDeployer(config.deployer, { clock, log, onDeployed: fleet ? (req) => applyDeployStep(fleet, req, clock.now()) : undefined });
  const fence = deps.fence;
  const runner = new PipelineRunner({
    store, deployer, clock, stages: stageDefs(config), retry: retryPolicyOf(config.deployer), onNotify: notify, log, tickMs: config.pipeline.tick * 1000,
    // The monitor reports promotion-gate verdicts; in shadow mode it only watches, so nothing waits for them.
    gate: !config.policy.shadow,
    ...(fence ? { fence: () => fence, sharedStore: true } : {}),
  });
  // Event messages follow rollbacks, holds and resumes, whoever made them.
  const refresher = watchPipelineForEvents({ pipeline: runner, store, notify, log });
  const monitor = new Monitor({ config, source: deps.source, clock, store, pipeline: runner, notify, log });
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  return {
    runner, monitor, outbox,
    async start(run) {
      await runner.start({ loop: run });
      if (run) loops.push(monitor.run(abort.signal), outbox.run(abort.signal));
    },
    async stop(opts = {}) {
      abort.abort();
      refresher.stop();
      return runner.close(opts);
    },
    async loopsEnded(ms) {
      await Promise.race([Promise.allSettled(loops), new Promise((r) => setTimeout(r, ms).unref())]);
    },
  };
}
