import type { Store } from '../store/store.js';
import type { DeployRequest } from './deployer.js';
import type { Observation } from './observation.js';
import type { PipelineState } from './state.js';
import type { StepTrace } from './step-trace.js';

/** What recovering unfinished work needs of the runner. */
export interface RecoveryHost {
  store: Store;
  trace: StepTrace;
  /** Has the orchestrator taken this build in? */
  seen(buildId: string): Promise<boolean>;
  observe(obs: Observation): Promise<unknown>;
  /** Is this step still in flight in the current state? */
  inflight(key: string): boolean;
  perform(req: DeployRequest, attempt: number): void;
}

/** Builds the store accepted but the state never saw (the process died in between, or another replica took them). */
export async function recoverBuilds(host: RecoveryHost, limit = 200): Promise<void> {
  const stored = await host.store.listBuilds({ limit });
  for (const b of stored.reverse()) {
    if (!(await host.seen(b.id))) await host.observe({ type: 'build_received', build: { id: b.id } });
  }
}

/** Steps in flight when the last process died: finish those recorded as succeeded, perform the rest again. */
export async function recoverInflight(host: RecoveryHost, inflight: PipelineState['inflight'][string][]): Promise<void> {
  for (const entry of inflight) {
    if (!host.inflight(entry.request.key)) continue;
    const recorded = await host.trace.get(entry.request);
    if (recorded?.outcome === 'succeeded') await host.observe({ type: 'deploy_succeeded', key: entry.request.key });
    else host.perform(entry.request, entry.attempt);
  }
}
