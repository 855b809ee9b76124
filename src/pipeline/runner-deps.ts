import type { Clock } from '../clock/clock.js';
import type { StageDef } from '../domain/pipeline.js';
import type { Notification } from '../notify/notification.js';
import type { Fence, Store } from '../store/store.js';
import type { Deployer } from './deployer.js';
import type { StoreStatus } from './result-inbox.js';
import type { RetryPolicy } from './state.js';

export interface PipelineRunnerDeps {
  store: Store;
  deployer: Deployer;
  clock: Clock;
  stages: StageDef[];
  retry: RetryPolicy;
  /** Deploy progress for PR authors (started in a stage, reached production, rolled back, tainted). */
  onNotify?: (n: Notification) => void;
  log?: (line: string) => void;
  /** Tick period of the loop `start()` runs, in the clock's ms. Default 1000. */
  tickMs?: number;
  /** Require a passing promotion-gate verdict after each bake (a monitor reports them). Default false. */
  gate?: boolean;
  /** With replicas: the leader's lease and fencing token, checked by the store on every state write. */
  fence?: () => Fence | undefined;
  /** With replicas: other replicas store builds posted to them; each tick takes up the newest ones this state has not seen. */
  sharedStore?: boolean;
}

/** Why the pipeline may be waiting, beyond its state: for `/readyz`, `/healthz` and the board. */
export interface RunnerStatus {
  store: StoreStatus;
  /** Step results kept in memory until the store takes them. */
  pendingResults: number;
  /** Clock time of the tick loop's last turn (liveness). */
  lastLoopAt?: number;
  /** The loop's tick period, clock ms. */
  tickMs: number;
}


/** What a stop did with the deploy steps that were running: finished while draining, or handed over to the next start. */
export interface CloseSummary {
  finished: string[];
  handedOver: string[];
}
