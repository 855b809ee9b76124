import type { DeployEvent } from '../domain/events.js';
import type { PipelineState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import { isGone } from './event-message-state.js';
import type { Notification } from './notification.js';

/** The parts of the pipeline that change what an event message should say. */
export interface PipelineFacts {
  /** `kind:at` of the hold in force, or "none". */
  hold: string;
  /** Builds that are rolled back or tainted. */
  gone: Set<string>;
}

/** Reads the facts from a pipeline state. Pure. */
export function pipelineFacts(state: PipelineState): PipelineFacts {
  const gone = new Set(Object.values(state.builds).filter((b) => isGone(b.status)).map((b) => b.id));
  return { hold: state.hold ? `${state.hold.kind}:${state.hold.at}` : 'none', gone };
}

/** What changed between two snapshots: a hold set or lifted, and builds newly rolled back or tainted. Pure. */
export function factChanges(prev: PipelineFacts, next: PipelineFacts): { holdChanged: boolean; newlyGone: string[] } {
  return { holdChanged: prev.hold !== next.hold, newlyGone: [...next.gone].filter((id) => !prev.gone.has(id)) };
}

export interface EventRefreshDeps {
  pipeline: { snapshot(): PipelineState; subscribe(listener: () => void): () => void };
  store: Store;
  notify: (n: Notification) => void;
  log?: (line: string) => void;
}

/**
 * Keeps event messages true after a rollback, hold, stop or resume, whoever made it (Slack, the web
 * UI, the API or the bot): on each pipeline transition that changes one of those, it asks the
 * notifiers to re-render the affected events' messages (open events for a hold change; every event of
 * a build rolled back). One refresh per event per change: the key names the change. Returns `stop`.
 */
export function watchPipelineForEvents(deps: EventRefreshDeps): { stop(): void; idle(): Promise<void> } {
  let prev = pipelineFacts(deps.pipeline.snapshot());
  let chain: Promise<void> = Promise.resolve();
  const unsubscribe = deps.pipeline.subscribe(() => {
    const next = pipelineFacts(deps.pipeline.snapshot());
    const change = factChanges(prev, next);
    prev = next;
    if (!change.holdChanged && change.newlyGone.length === 0) return;
    chain = chain
      .then(() => refresh(deps, next, change))
      .catch((err) => deps.log?.(`event refresh: ${(err as Error).message}`));
  });
  return { stop: unsubscribe, idle: () => chain };
}

async function refresh(deps: EventRefreshDeps, facts: PipelineFacts, change: ReturnType<typeof factChanges>): Promise<void> {
  const affected = new Map<string, DeployEvent>();
  if (change.holdChanged) for (const e of await deps.store.listEvents({ status: 'open', limit: 200 })) affected.set(e.id, e);
  for (const id of change.newlyGone) for (const e of await deps.store.listEvents({ buildId: id, limit: 50 })) affected.set(e.id, e);
  for (const e of affected.values()) {
    const key = `event:${e.id}:pipeline:${facts.hold}:${facts.gone.has(e.buildId) ? 'gone' : 'live'}`;
    deps.notify({ type: 'event', key, event: e, shadow: false, refresh: true });
  }
}
