import type { ManualClock } from '../src/clock/clock.js';
import type { Build } from '../src/domain/build.js';
import type { Actor, StageDef } from '../src/domain/pipeline.js';
import { ReleasebotError } from '../src/domain/errors.js';
import type { PipelineControl } from '../src/pipeline/control.js';
import type { Observation } from '../src/pipeline/observation.js';
import type { PipelineState } from '../src/pipeline/state.js';
import { initialState, step } from '../src/pipeline/step.js';
import type { Store } from '../src/store/store.js';

/**
 * TEMPORARY stand-in for PipelineRunner while it is being written: drives the real reducer,
 * persists builds, decisions and steps in the real store, and completes deploy steps at once.
 * Replaced by the real runner in api-harness.ts as soon as src/pipeline/runner.ts lands.
 */
export async function createInterimControl(deps: { store: Store; clock: ManualClock; stages: StageDef[] }) {
  let state: PipelineState = initialState(deps.stages);
  const listeners = new Set<() => void>();
  const observe = async (obs: Observation): Promise<void> => {
    const r = step(state, obs, deps.clock.now());
    state = r.state;
    const done: string[] = [];
    for (const e of r.effects) {
      if (e.type === 'decision') await deps.store.appendDecision(e.decision);
      else {
        const req = e.request;
        await deps.store.upsertStep({ key: req.key, buildId: req.buildId, stage: req.stage, kind: req.kind, targetBuildId: req.targetBuildId, startedAt: deps.clock.now(), endedAt: deps.clock.now() + 1000, outcome: 'succeeded', attempts: e.attempt });
        done.push(req.key);
      }
    }
    for (const l of listeners) l();
    for (const key of done) await observe({ type: 'deploy_succeeded', key });
  };
  const pipeline: PipelineControl = {
    async submitBuild(build: Build) {
      const r = await deps.store.putBuild(build);
      if (r === 'created') await observe({ type: 'build_received', build: { id: build.id } });
      return r;
    },
    snapshot: () => structuredClone(state),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    hold: (actor: Actor, reason: string) => observe({ type: 'hold', actor, reason }),
    stop: (actor: Actor, reason: string) => observe({ type: 'stop', actor, reason }),
    resume: (actor: Actor, reason: string) => observe({ type: 'resume', actor, reason }),
    async rollback(buildId, actor, reason, evidence) {
      const b = state.builds[buildId];
      if (!b) throw new ReleasebotError('NOT_FOUND', `unknown build ${buildId}`);
      if (b.status === 'tainted' || b.status === 'rolled_back') return false;
      const stage = state.stages[Math.max(0, b.stageIndex)].name;
      await observe({ type: 'judged_bad', buildId, stage, actor, reason, ...(evidence ? { evidence } : {}) });
      return true;
    },
  };
  return { pipeline, settle: () => observe({ type: 'tick' }), stop: async () => undefined };
}
