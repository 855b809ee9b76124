import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { ChartProvider } from '../monitor/chart.js';
import type { PipelineControl } from '../pipeline/control.js';
import type { Store } from '../store/store.js';
import type { Authenticator } from './auth.js';
import type { ServerMetrics } from './server-metrics.js';

/** This process among replicas: `single` (one process), or the `leader` / a `follower`, with its lease holder id. */
export interface ReplicaRole {
  role: 'single' | 'leader' | 'follower';
  holder?: string;
}

/** What every route module receives: the injected dependencies plus the server's own helpers. */
export interface ServerContext {
  config: Config['server'];
  store: Store;
  pipeline: PipelineControl;
  charts?: ChartProvider;
  /** The pipeline's clock (virtual in the demo): bake progress and history are in its time. */
  clock: Clock;
  auth: Authenticator;
  metrics: ServerMetrics;
  /** Whether the metrics backend answers (for `/readyz`). */
  metricsOnline?: () => Promise<boolean>;
  /** This process's part among replicas. */
  role: () => ReplicaRole;
  /** Interval of SSE heartbeats, wall-clock ms. */
  heartbeatMs: number;
}
