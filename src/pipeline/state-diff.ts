import type { PipelineState } from './state.js';

/**
 * Did a step change the state? Cheap enough for every tick: `step` shares the builds map with its
 * input unless a build changed (copy-on-write, see Draft), so the builds are compared by identity and
 * only the small rest (slots, queue, hold, steps in flight, counters) by value.
 */
export function stateChanged(prev: PipelineState, next: PipelineState): boolean {
  if (prev === next) return false;
  if (prev.builds !== next.builds) return true;
  return JSON.stringify(withoutBuilds(prev)) !== JSON.stringify(withoutBuilds(next));
}

function withoutBuilds(s: PipelineState): Omit<PipelineState, 'builds' | 'stages'> {
  const { builds: _builds, stages: _stages, ...rest } = s;
  return rest;
}
