import type { Build, PullRequest } from '../domain/build.js';
import type { Notification } from '../notify/notification.js';
import type { Effect, PipelineState } from './state.js';

type Progress = Extract<Notification, { type: 'deploy_progress' }>;

/** A progress note before the build is loaded: which build, where, what happened. */
export interface ProgressNote {
  buildId: string;
  stage: string;
  phase: Progress['phase'];
  reason?: string;
}

/**
 * Which builds' authors should hear about a transition: a deploy step started (first attempt),
 * a build finished the last stage, a build was rolled back, a newer build was tainted with it.
 */
export function progressNotes(state: PipelineState, effects: Effect[]): ProgressNote[] {
  const notes: ProgressNote[] = [];
  let rolledBack: { buildId?: string; stage?: string } | undefined;
  for (const e of effects) {
    if (e.type === 'deploy') {
      if (e.request.kind === 'deploy' && e.attempt === 1) notes.push({ buildId: e.request.buildId, stage: e.request.stage, phase: 'started' });
      continue;
    }
    const d = e.decision;
    if (!d.buildId) continue;
    if (d.kind === 'complete') notes.push({ buildId: d.buildId, stage: d.stage ?? '', phase: 'reached_production' });
    if (d.kind === 'rollback') rolledBack = d;
    if (d.kind === 'taint') {
      const own = d.buildId === rolledBack?.buildId;
      const b = state.builds[d.buildId];
      const stage = own ? (rolledBack?.stage ?? '') : (state.stages[b?.stageIndex ?? -1]?.name ?? 'queue');
      notes.push({ buildId: d.buildId, stage, phase: own ? 'rolled_back' : 'tainted', reason: d.reason });
    }
  }
  return notes;
}

/**
 * The notification for a note, keyed stably (`progress:<build>:<stage>:<phase>`). The PRs of builds it
 * superseded ride along, so their authors hear about the deploy that carries their change.
 */
export async function toNotification(
  note: ProgressNote,
  state: PipelineState,
  getBuild: (id: string) => Promise<Build | undefined>,
  at: number,
): Promise<Notification | undefined> {
  const build = await getBuild(note.buildId);
  if (!build) return undefined;
  const prs = new Map<number, PullRequest>(build.pullRequests.map((p) => [p.number, p]));
  for (const id of state.builds[note.buildId]?.includes ?? []) {
    for (const p of (await getBuild(id))?.pullRequests ?? []) if (!prs.has(p.number)) prs.set(p.number, p);
  }
  const n: Progress = {
    type: 'deploy_progress',
    key: `progress:${note.buildId}:${note.stage}:${note.phase}`,
    build: { ...build, pullRequests: [...prs.values()] },
    stage: note.stage,
    phase: note.phase,
    at,
  };
  if (note.reason !== undefined) n.reason = note.reason;
  return n;
}
