import type { Build } from '../domain/build.js';
import type { StageDef } from '../domain/pipeline.js';
import type { BuildState, HoldState, PipelineState, SlotState } from '../pipeline/state.js';
import type { Store } from '../store/store.js';
import type { DeployEvent } from '../domain/events.js';
import { stageHealth, type StageHealth } from './stage-health.js';
import { statusStrip, type StatusStrip } from './status-strip.js';

/** A short description of a build for the board. */
export interface BuildSummary {
  id: string;
  seq: number;
  status: BuildState['status'];
  sha?: string;
  prCount: number;
  /** PR numbers and titles, for tooltips and the board. */
  pullRequests: Array<{ number: number; title: string; authorName: string }>;
  includes: string[];
}

/** One stage lane on the board: the stage's definition plus what runs there. */
export interface StageView extends StageDef {
  index: number;
  buildId: string | null;
  runningBuildId: string | null;
  lastGoodBuildId: string | null;
  phase: SlotState['phase'];
  since: number;
  bakeUntil?: number;
  /** 0..1 while baking (1 once baked), null otherwise. */
  bakeProgress: number | null;
  blocks: Record<string, string>;
  failure?: string;
  /** Health as text, icon and colour on the board; links to what blocks it. */
  health: StageHealth;
}

/** The pipeline as the board shows it. */
export interface PipelineView {
  now: number;
  environments: Array<{ name: string; stages: StageView[] }>;
  queue: BuildSummary[];
  hold: HoldState | null;
  /** Summaries of every build on the board (in a stage or queued), by id. */
  builds: Record<string, BuildSummary>;
  /** Open events, holds, recent rollbacks and the banner (also `GET /api/status`). */
  status: StatusStrip;
}

/** Bake progress of a slot at `now`: a fraction while baking, 1 when ready, null otherwise. */
export function bakeProgress(slot: SlotState, now: number): number | null {
  if (slot.phase === 'ready') return 1;
  if (slot.phase !== 'baking' || slot.bakeUntil === undefined) return null;
  const total = slot.bakeUntil - slot.since;
  // A zero bake time is done the moment it starts.
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, (now - slot.since) / total));
}

function stageView(state: PipelineState, slot: SlotState, index: number, now: number, openEvents: DeployEvent[]): StageView {
  const def = state.stages[index];
  const v: StageView = {
    index,
    name: def?.name ?? slot.stage,
    environment: def?.environment ?? 'unknown',
    tier: def?.tier ?? '',
    azs: def?.azs ?? [],
    percent: def?.percent ?? 0,
    bakeSeconds: def?.bakeSeconds ?? 0,
    buildId: slot.buildId,
    runningBuildId: slot.runningBuildId ?? null,
    lastGoodBuildId: slot.lastGoodBuildId,
    phase: slot.phase,
    since: slot.since,
    bakeProgress: bakeProgress(slot, now),
    blocks: { ...slot.blocks },
    health: stageHealth(slot, openEvents, state.hold, state.gateRequired === true),
  };
  if (slot.bakeUntil !== undefined) v.bakeUntil = slot.bakeUntil;
  if (slot.failed) v.failure = slot.failed.error;
  return v;
}

function summarize(id: string, state: BuildState | undefined, build: Build | undefined): BuildSummary {
  const prs = build?.pullRequests ?? [];
  const s: BuildSummary = {
    id,
    seq: state?.seq ?? 0,
    status: state?.status ?? 'queued',
    prCount: prs.length,
    pullRequests: prs.map((p) => ({ number: p.number, title: p.title, authorName: p.authorName })),
    includes: state?.includes ?? [],
  };
  if (build) s.sha = build.sha;
  return s;
}

/**
 * The board's view of a pipeline state: stages grouped per environment in pipeline order,
 * with bake progress at `now`, the queue and the hold. Build details come from the store.
 */
export async function pipelineView(state: PipelineState, now: number, store: Store): Promise<PipelineView> {
  const environments: PipelineView['environments'] = [];
  const [openEvents, decisions] = await Promise.all([store.listEvents({ status: 'open', limit: 200 }), store.listDecisions({ limit: 300 })]);
  state.slots.forEach((slot, i) => {
    const sv = stageView(state, slot, i, now, openEvents);
    let env = environments.find((e) => e.name === sv.environment);
    if (!env) environments.push((env = { name: sv.environment, stages: [] }));
    env.stages.push(sv);
  });
  const ids = new Set<string>(state.queue);
  for (const s of state.slots) {
    if (s.buildId) ids.add(s.buildId);
    if (s.runningBuildId) ids.add(s.runningBuildId);
  }
  const builds: Record<string, BuildSummary> = {};
  await Promise.all(
    [...ids].map(async (id) => {
      builds[id] = summarize(id, state.builds[id], await store.getBuild(id));
    }),
  );
  const status = statusStrip({ now, state, openEvents, decisions });
  return { now, environments, queue: state.queue.map((id) => builds[id]), hold: state.hold, builds, status };
}
