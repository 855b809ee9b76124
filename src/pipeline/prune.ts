import type { BuildState, PipelineState } from './state.js';

/** Finished builds kept in the state; older ones live only in the store (the state is saved on every transition). */
export const KEEP_FINISHED_BUILDS = 1000;

function isFinished(b: BuildState): boolean {
  return b.status !== 'queued' && b.status !== 'in_pipeline';
}

/**
 * Drop the oldest finished builds (completed, superseded, tainted, rolled back) beyond `keep`, so the
 * state stays small however long the bot runs. Always kept: builds waiting or in the pipeline, builds
 * a stage or a step refers to, and the rollback target of every kept build on every stage (the newest
 * untainted build older than it that baked there), so judging any build still in the state rolls back
 * to the right build however many builds finished since. Limit: the targets of those extra targets are
 * not kept in turn (the chain would never end); judging a build older than the newest `keep` finished
 * ones may roll back further than needed.
 */
export function pruneBuilds(s: PipelineState, keep = KEEP_FINISHED_BUILDS): void {
  const all = Object.values(s.builds);
  const finished = all.filter(isFinished);
  if (finished.length <= keep) return;
  finished.sort((a, b) => b.seq - a.seq);
  const kept = referencedIds(s);
  for (const b of all) if (!isFinished(b)) kept.add(b.id);
  for (const b of finished.slice(0, keep)) kept.add(b.id);
  for (const id of rollbackTargets(s, all, [...kept])) kept.add(id);
  for (const b of finished.slice(keep)) if (!kept.has(b.id)) delete s.builds[b.id];
}

export function referencedIds(s: PipelineState): Set<string> {
  const referenced = new Set<string>();
  for (const slot of s.slots) {
    for (const id of [slot.buildId, slot.lastGoodBuildId, slot.runningBuildId, slot.failed?.request.targetBuildId]) if (id) referenced.add(id);
  }
  for (const e of [...Object.values(s.inflight), ...Object.values(s.retrying ?? {})]) {
    referenced.add(e.request.buildId);
    if (e.request.targetBuildId) referenced.add(e.request.targetBuildId);
  }
  return referenced;
}

/** For every stage, the rollback target of each of `ids` (as `lastGoodFor` would find it). */
function rollbackTargets(s: PipelineState, all: BuildState[], ids: string[]): Set<string> {
  const out = new Set<string>();
  const seqs = ids.map((id) => s.builds[id]).filter((b) => b && b.status !== 'tainted').map((b) => b.seq);
  for (let k = 0; k < s.slots.length; k++) {
    const good = all.filter((b) => b.status !== 'tainted' && (b.bakedThrough ?? -1) >= k).sort((a, b) => a.seq - b.seq);
    for (const seq of seqs) {
      const target = newestBelow(good, seq);
      if (target) out.add(target.id);
    }
  }
  return out;
}

/** The build with the highest seq below `seq` in `sorted` (ascending by seq), by binary search. */
function newestBelow(sorted: BuildState[], seq: number): BuildState | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? sorted[lo - 1] : undefined;
}
