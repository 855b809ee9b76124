import type { Actor } from '../domain/pipeline.js';
import { retryFailedSteps } from './deploy-result.js';
import { ORCHESTRATOR, type Draft } from './draft.js';
import { anyStageFailed, botMayReplace } from './hold-rules.js';

/**
 * Hold: no promotions (steps in flight and their retries finish). Stop: no new deploy attempts either.
 * A stop is never weakened by a later hold, and a bot's hold never replaces a person's; the later
 * hold is still logged.
 */
export function holdOrStop(d: Draft, kind: 'hold' | 'stop', actor: Actor, reason: string): void {
  const replaces = kind === 'stop' || (d.s.hold?.kind !== 'stop' && (actor.kind === 'person' || botMayReplace(d.s.hold)));
  if (replaces) d.s.hold = { actor, reason, at: d.now, kind };
  d.decide(kind, actor, reason);
}

/** Lift any hold or stop and retry stages whose step had failed for good. */
export function resume(d: Draft, actor: Actor, reason: string): void {
  d.s.hold = null;
  d.decide('resume', actor, reason);
  retryFailedSteps(d);
}

/**
 * A build arrived. Known ids are ignored (CI may post twice). A build older than one already in
 * (or through) the pipeline is included in it at once: deploying it would go backwards. Otherwise it
 * waits in the queue. A build newer than the last rolled-back one lifts the rollback hold.
 */
export function receiveBuild(d: Draft, id: string, seqIn: number | undefined): void {
  if (d.s.builds[id]) return;
  const seq = seqIn ?? d.s.nextSeq;
  d.s.nextSeq = Math.max(d.s.nextSeq, seq + 1);
  const build = { id, seq, status: 'queued' as const, stageIndex: -1, includes: [] as string[], receivedAt: d.now };
  d.addBuild(build);
  d.decide('enqueue', ORCHESTRATOR, `build ${id} received (#${seq})`, { buildId: id });
  const includer = Object.values(d.s.builds)
    .filter((b) => b.seq > seq && (b.status === 'in_pipeline' || b.status === 'completed'))
    .sort((a, b) => a.seq - b.seq)[0];
  if (includer) {
    d.addBuild({ ...build, status: 'superseded', includedIn: includer.id });
    const by = d.mut(includer.id)!;
    by.includes = [...new Set([...by.includes, id])];
    d.decide('supersede', ORCHESTRATOR, `arrived after the newer ${includer.id} had entered: included in ${includer.id}`, {
      buildId: id,
    });
    return;
  }
  d.s.queue = [...d.s.queue, id].sort((a, b) => d.s.builds[a].seq - d.s.builds[b].seq);
  const lift = d.s.hold?.liftOnBuildNewerThan;
  // A failed stage keeps its hold: lifting it would leave the stage failed with builds waiting forever.
  if (lift !== undefined && seq > lift && !anyStageFailed(d)) {
    d.s.hold = null;
    d.decide('resume', ORCHESTRATOR, `build ${id} is newer than the rolled-back builds: lifting the rollback hold`, {
      buildId: id,
    });
  }
}

/** The monitor blocks (or unblocks) promotion out of a stage; unknown stages are ignored (the runner validates). */
export function setBlock(d: Draft, stage: string, source: string, reason: string | null): void {
  const slot = d.s.slots[d.stageIndex(stage)];
  if (!slot) return;
  if (reason === null) delete slot.blocks[source];
  else slot.blocks[source] = reason;
}
