import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { stageDefs } from '../config/stage-defs.js';
import { ReleasebotError } from '../domain/errors.js';
import { drainCommands } from '../leader/command-drain.js';
import { Leadership } from '../leader/leadership.js';
import { ReplicaPipeline } from '../leader/replica-pipeline.js';
import type { ChartProvider } from '../monitor/chart.js';
import { chartsForEvent } from '../monitor/charts.js';
import { DEFAULT_STEP_MS } from '../monitor/fetch.js';
import { retryPolicyOf } from '../pipeline/create-deployer.js';
import { parseStoreUrl } from '../store/create.js';
import { leaderParts, type LeaderParts, type LeaderPartsDeps } from './leader-parts.js';

/**
 * Whether `serve` takes part in leader election: `replicas.enabled`, by default on for a PostgreSQL
 * store. SQLite is one process: asking for replicas there is a configuration error.
 */
export function replicasEnabled(config: Config): boolean {
  const engine = parseStoreUrl(config.store.url).engine;
  const enabled = config.replicas.enabled ?? engine === 'postgres';
  if (enabled && engine !== 'postgres') {
    throw new ReleasebotError('CONFIG_INVALID', 'replicas.enabled: true needs a PostgreSQL store (store.url postgres://...); an SQLite store is used by one process only', { field: 'replicas.enabled' });
  }
  return enabled;
}

/** A unique id for this process in the lease: host, pid and a random part (a restarted process never reuses one). */
export function replicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export interface Replica {
  pipeline: ReplicaPipeline;
  leadership: Leadership;
  /** Charts of an event from the stored event and the metrics backend (any replica). */
  charts: ChartProvider;
  /** The leader's parts while leading. */
  parts(): LeaderParts | undefined;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One replica: a follower view of the pipeline for the API and UI, and leader election. On election
 * it builds the leader's parts on the fenced store and starts them with the command inbox; on loss it
 * stops them at once.
 */
export function createReplica(deps: Omit<LeaderPartsDeps, 'fence'> & { holder?: string }): Replica {
  const { config, store, log } = deps;
  const wall = deps.wallClock;
  let parts: LeaderParts | undefined;
  const pipeline = new ReplicaPipeline({
    store, clock: wall, stages: stageDefs(config), retry: retryPolicyOf(config.deployer), gate: !config.policy.shadow,
    leader: () => parts?.runner, refreshMs: config.replicas.refresh * 1000, commandTimeoutMs: config.replicas.commandTimeout * 1000, log,
  });
  const leadership = new Leadership({
    store, holder: deps.holder ?? replicaId(), clock: wall, ttlMs: config.replicas.lease * 1000, log,
    onChange: () => pipeline.changed(),
    startTerm: async (fenced, fence) => {
      const p = leaderParts({ ...deps, store: fenced, fence });
      const abort = new AbortController();
      p.runner.subscribe(() => pipeline.changed());
      await p.start(true);
      parts = p;
      const drain = drainCommands({ runner: p.runner, store: fenced, clock: wall, log }, abort.signal);
      return {
        runner: p.runner,
        async stop() {
          parts = undefined;
          abort.abort();
          await p.stop();
          await Promise.race([drain, p.loopsEnded(2000)]);
        },
      };
    },
  });
  const abort = new AbortController();
  let loops: Promise<void>[] = [];
  return {
    pipeline, leadership,
    parts: () => parts,
    charts: {
      async chartsForEvent(eventId) {
        const event = await store.getEvent(eventId);
        return event ? chartsForEvent(event, { config, fetcher: deps.source, now: deps.clock.now(), stepMs: DEFAULT_STEP_MS }) : [];
      },
    },
    async start() {
      await pipeline.refresh();
      loops = [leadership.run(abort.signal), pipeline.run(abort.signal)];
      log(`replica ${leadership.holder()}: leader election on, lease ${config.replicas.lease} s`);
    },
    async close() {
      abort.abort();
      await leadership.stop();
      await Promise.race([Promise.allSettled(loops), new Promise((r) => setTimeout(r, 3000).unref())]);
    },
  };
}
