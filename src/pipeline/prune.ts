import type { PipelineState } from './state.js';

/** Finished builds kept in the state; older ones live only in the store (the state is saved on every transition). */
export const KEEP_FINISHED_BUILDS = 1000;

/**
 * Drop the oldest finished builds (completed, superseded, tainted, rolled back) beyond `keep`, so the
 * state stays small however long the bot runs. Builds a stage still refers to, or that are waiting
 * or in the pipeline, are always kept.
 */
export function pruneBuilds(s: PipelineState, keep = KEEP_FINISHED_BUILDS): void {
  const finished = Object.values(s.builds).filter((b) => b.status !== 'queued' && b.status !== 'in_pipeline');
  if (finished.length <= keep) return;
  const referenced = new Set<string>();
  for (const slot of s.slots) {
    for (const id of [slot.buildId, slot.lastGoodBuildId, slot.runningBuildId, slot.failed?.request.targetBuildId]) if (id) referenced.add(id);
  }
  for (const e of [...Object.values(s.inflight), ...Object.values(s.retrying ?? {})]) {
    referenced.add(e.request.buildId);
    if (e.request.targetBuildId) referenced.add(e.request.targetBuildId);
  }
  finished.sort((a, b) => b.seq - a.seq);
  for (const b of finished.slice(keep)) if (!referenced.has(b.id)) delete s.builds[b.id];
}
