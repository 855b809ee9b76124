import type { StageDef } from '../domain/pipeline.js';
import type { Signal } from '../domain/events.js';
import type { PipelineState, SlotState } from '../pipeline/state.js';
import type { Verdict } from '../detect/verdict.js';

/** Test fixtures for the monitor's unit tests: a five-stage pipeline and signal builders. */
export const STAGES: StageDef[] = [
  { name: 'staging', environment: 'commercial', tier: 'staging', azs: ['az1', 'az2', 'az3'], percent: 100, bakeSeconds: 600 },
  { name: 'dogfood', environment: 'commercial', tier: 'dogfood', azs: ['az1', 'az2', 'az3'], percent: 100, bakeSeconds: 600 },
  { name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2', 'az3'], percent: 100, bakeSeconds: 600 },
  { name: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10, bakeSeconds: 600 },
  { name: 'prod-100', environment: 'commercial', tier: 'production', azs: ['az1', 'az2', 'az3'], percent: 100, bakeSeconds: 600 },
];

export const NAMES = { tier: 'tier', az: 'az', environment: 'environment' };

/** A pipeline state with the given occupants per stage name (phase baking) and builds b1 < b2 < b3. */
export function stateWith(occupants: Record<string, string>, running: Record<string, string> = {}): PipelineState {
  const slots: SlotState[] = STAGES.map((s) => ({
    stage: s.name,
    buildId: occupants[s.name] ?? null,
    phase: occupants[s.name] ? 'baking' : 'idle',
    since: 1000,
    lastGoodBuildId: 'b0',
    blocks: {},
    runningBuildId: occupants[s.name] ?? running[s.name] ?? 'b0',
  }));
  const builds: PipelineState['builds'] = {};
  ['b0', 'b1', 'b2', 'b3'].forEach((id, seq) => {
    builds[id] = { id, seq, status: 'in_pipeline', stageIndex: 0, includes: [] };
  });
  return { stages: STAGES, nextSeq: 4, builds, queue: [], slots, hold: null, inflight: {}, nextId: 1 };
}

export function verdict(rule: Verdict['rule'], z?: number, threshold = 3): Verdict {
  return { kind: 'breach', rule, reason: 'test', value: 10, mean: 1, std: 1, ...(z !== undefined ? { z, threshold } : { threshold }) };
}

export function signal(check: string, az: string, at: number, o: { rule?: Verdict['rule']; z?: number; ref?: [number, number]; inScope?: boolean } = {}): Signal {
  return {
    check,
    labels: { environment: 'commercial', tier: 'canary', az },
    inScope: o.inScope ?? true,
    at,
    verdict: verdict(o.rule ?? 'zscore', o.z ?? 4),
    ...(o.ref ? { reference: { series: o.ref[0], breaching: o.ref[1] } } : {}),
  };
}
