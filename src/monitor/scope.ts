import { ReleasebotError } from '../domain/errors.js';
import type { Labels } from '../domain/events.js';
import type { StageDef } from '../domain/pipeline.js';
import type { PipelineState, SlotState } from '../pipeline/state.js';

/** Label names that carry the scope of a series (config `scopeLabels`). */
export interface ScopeLabelNames {
  tier: string;
  az: string;
  environment: string;
}

/** A part of the fleet: an environment, a tier and some AZs. Absent fields match anything. */
export interface ScopeSpec {
  environment?: string;
  tier?: string;
  azs?: string[];
}

/** A deploy in progress: one build on one stage, and the part of the fleet it runs on. */
export interface DeployScope {
  buildId: string;
  stage: string;
  stageIndex: number;
  environment: string;
  tier: string;
  azs: string[];
  percent: number;
  phase: SlotState['phase'];
  /** When the slot entered its current phase. */
  since: number;
}

/** Where a series stands relative to one deploy. */
export type SeriesPlace =
  /** The deploying build runs here. */
  | 'in'
  /** Out of scope and running no build that contains the deploying build: the comparison group. */
  | 'reference'
  /** Out of scope, but another stage runs the deploying build (or a newer one) here: neither. */
  | 'exposed';

const ACTIVE_PHASES: ReadonlySet<SlotState['phase']> = new Set(['deploying', 'baking', 'ready']);

/** The deploys in progress: slots whose build is deploying, baking or ready to move on, in stage order. */
export function deploysInProgress(state: PipelineState): DeployScope[] {
  const out: DeployScope[] = [];
  state.slots.forEach((slot, stageIndex) => {
    if (slot.buildId === null || !ACTIVE_PHASES.has(slot.phase)) return;
    const def = state.stages[stageIndex] ?? state.stages.find((s) => s.name === slot.stage);
    if (!def) return;
    out.push({
      buildId: slot.buildId,
      stage: slot.stage,
      stageIndex,
      environment: def.environment,
      tier: def.tier,
      azs: [...def.azs],
      percent: def.percent,
      phase: slot.phase,
      since: slot.since,
    });
  });
  return out;
}

/**
 * True when a series with these labels covers part of `spec`. A scope label missing from the
 * series matches: a series aggregated over AZs (no `az` label) includes the AZs being deployed to.
 */
export function matchesScope(labels: Labels, spec: ScopeSpec, names: ScopeLabelNames): boolean {
  const env = labels[names.environment];
  if (spec.environment !== undefined && env !== undefined && env !== spec.environment) return false;
  const tier = labels[names.tier];
  if (spec.tier !== undefined && tier !== undefined && tier !== spec.tier) return false;
  const az = labels[names.az];
  if (spec.azs !== undefined && az !== undefined && !spec.azs.includes(az)) return false;
  return true;
}

/** The build a stage's fleet runs now: the occupant while it deploys or bakes, else the last build that ran there. */
function runningBuild(slot: SlotState): string | null {
  if (slot.buildId !== null && (ACTIVE_PHASES.has(slot.phase) || slot.phase === 'failed')) return slot.buildId;
  if (slot.runningBuildId !== undefined) return slot.runningBuildId;
  return slot.lastGoodBuildId;
}

/**
 * Stages whose fleet runs `buildId` or a newer build (which contains its commits, one main branch).
 * Such stages are no fair comparison for the deploy: they carry the same change.
 */
export function exposedStages(state: PipelineState, buildId: string): StageDef[] {
  const seq = state.builds[buildId]?.seq;
  return state.stages.filter((stage, i) => {
    const slot = state.slots[i];
    if (!slot) return false;
    const running = runningBuild(slot);
    if (running === null) return false;
    if (running === buildId) return true;
    const runningSeq = state.builds[running]?.seq;
    // A build newer than the deploying one contains its change; unknown builds are treated as older.
    return seq !== undefined && runningSeq !== undefined && runningSeq >= seq;
  });
}

/** Compiles the placement of series for one deploy (exposure is computed once, not per series). */
export function placer(state: PipelineState, deploy: DeployScope, names: ScopeLabelNames): (labels: Labels) => SeriesPlace {
  const spec: ScopeSpec = { environment: deploy.environment, tier: deploy.tier, azs: deploy.azs };
  const exposed = exposedStages(state, deploy.buildId).map((s) => ({ environment: s.environment, tier: s.tier, azs: s.azs }));
  return (labels) => {
    if (matchesScope(labels, spec, names)) return 'in';
    return exposed.some((e) => matchesScope(labels, e, names)) ? 'exposed' : 'reference';
  };
}

/** Series sorted for one deploy. */
export interface ScopedSeries<T> {
  inScope: T[];
  reference: T[];
  exposed: T[];
}

/** Sorts every series of a check into in scope / reference / exposed for one deploy. */
export function sortByScope<T extends { labels: Labels }>(
  series: readonly T[],
  state: PipelineState,
  deploy: DeployScope,
  names: ScopeLabelNames,
): ScopedSeries<T> {
  const place = placer(state, deploy, names);
  const out: ScopedSeries<T> = { inScope: [], reference: [], exposed: [] };
  for (const s of series) {
    const p = place(s.labels);
    if (p === 'in') out.inScope.push(s);
    else if (p === 'reference') out.reference.push(s);
    else out.exposed.push(s);
  }
  return out;
}

/**
 * Parses a CLI scope such as `tier=canary,az=az1,az=az2,environment=commercial` (scope label names,
 * as configured, or the generic keys tier/az/environment). Unknown keys are an error naming them.
 */
export function parseScopeSpec(text: string, names: ScopeLabelNames): ScopeSpec {
  const spec: ScopeSpec = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ReleasebotError('BAD_REQUEST', `bad scope "${part}": use key=value, e.g. tier=canary,az=az1`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'tier' || key === names.tier) spec.tier = value;
    else if (key === 'environment' || key === names.environment) spec.environment = value;
    else if (key === 'az' || key === names.az) spec.azs = [...(spec.azs ?? []), ...value.split('|')];
    else throw new ReleasebotError('BAD_REQUEST', `bad scope key "${key}": use tier, az or environment (or ${names.tier}, ${names.az}, ${names.environment})`);
  }
  return spec;
}
