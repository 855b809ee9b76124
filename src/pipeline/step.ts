/**
 * The orchestrator: a pure reducer `step(state, observation, now) -> { state, effects }`.
 * It never performs I/O; the runner persists the returned state and decisions, then performs the
 * deploy effects and feeds their results back as observations.
 *
 * Semantics:
 * - **Stages** are one ordered list. At most one build occupies a stage. An occupant is `deploying`,
 *   then `baking` (for the stage's bake time), then `ready`. A ready build with nothing blocking
 *   (`block` observations, by source) moves to the next stage when that stage is free (no occupant,
 *   no step running) and the pipeline is not held. Its old stage is free from then on although its
 *   fleet still runs the build (`runningBuildId`). Stages are visited last-first so a chain moves at once.
 *   Several builds are in flight at once (pipelining).
 * - **Promotion gate** (`gate.ts`, when `gateRequired`, i.e. a monitor watches the pipeline): a ready
 *   build leaves its stage (promotes, or completes from the last stage) only on a `gate_verdict` of
 *   `pass` for that build and stage whose evaluation started at or after the moment its bake ended
 *   (`bakeEndedAt`), in the transition that records that pass (a pass is not kept for later: the
 *   monitor evaluates ready builds every tick). No verdict yet, an older one, `inconclusive` or
 *   `breach` keep it where it is (a gate never rolls back). The monitor evaluates against the backend, requires fresh samples since
 *   the deploy from every in-scope series and stores the evidence; a stage with no checks gets a
 *   `pass` that says so. The promote / complete decision names the verdict and its record (`evidence.gateId`).
 * - **Completion:** a build ready (and through the gate) in the last stage is `completed` and becomes the last good build everywhere
 *   (a hold does not stop this: it is not a promotion).
 * - **Queue:** arriving builds wait, ordered by `seq` (higher = newer and contains every older build's
 *   commits). When the first stage is free, the newest waiting build enters; older waiting builds are
 *   `superseded` and recorded in its `includes` (their PRs ride along). A build older than one already
 *   in the pipeline is superseded on arrival: deploying it would go backwards.
 * - **Hold / stop / resume:** a hold stops promotions; a stop also stops new deploy attempts (retries).
 *   Resume lifts either and retries stages whose step failed for good (with a new key).
 * - **Rollback** (`judged_bad` of build B): every stage whose occupant, running build or current step
 *   target is B or newer is rolled back to its last good build older than B (`lastGoodFor`), skipping
 *   bake; steps in flight there are cancelled (dropped from `inflight`, the runner aborts them).
 *   B and every newer queued, in-pipeline or completed build is `tainted` and leaves the pipeline.
 *   The pipeline then holds until a build newer than the tainted ones arrives (auto-lift) or a person
 *   resumes; a person's stop is left in place. Rollbacks ignore holds and stops. Judging a tainted build
 *   again does nothing.
 * - **Deploy failures:** a retryable failure is retried after `backoffSeconds * 2^(attempt-1)` until
 *   `retries` extra attempts are used (same idempotency key, higher `attempt`); then the stage is `failed`
 *   and the pipeline holds with the reason.
 * - **Size:** only the newest finished builds stay in the state (`pruneBuilds`); the store keeps them all.
 * - **Effects:** `deploy` effects carry an idempotency key (`inflight` tracks them until a result
 *   arrives; a result for an unknown key is ignored). Every promote, enqueue, supersede, hold, stop,
 *   resume, rollback, taint, deploy_failed and complete is a `decision` effect with a stable id, actor
 *   and reason.
 */
import { ReleasebotError } from '../domain/errors.js';
import type { StageDef } from '../domain/pipeline.js';
import { advance } from './advance.js';
import { deployFailed, deploySucceeded } from './deploy-result.js';
import { DEFAULT_RETRY, Draft } from './draft.js';
import { recordGate } from './gate.js';
import { holdOrStop, receiveBuild, resume, setBlock } from './hold.js';
import type { Observation } from './observation.js';
import { pruneBuilds } from './prune.js';
import { rollback } from './rollback.js';
import type { Effect, PipelineState, RetryPolicy } from './state.js';

export type { Observation } from './observation.js';

/** The result of one transition. */
export interface StepResult {
  state: PipelineState;
  effects: Effect[];
}

/** An empty pipeline over `stages`. Throws CONFIG_INVALID when there are no stages or names repeat. */
export function initialState(stages: StageDef[], retry: RetryPolicy = DEFAULT_RETRY): PipelineState {
  if (stages.length === 0) throw new ReleasebotError('CONFIG_INVALID', 'pipeline.stages: at least one stage is required');
  const seen = new Set<string>();
  stages.forEach((st, i) => {
    if (seen.has(st.name)) {
      throw new ReleasebotError('CONFIG_INVALID', `pipeline.stages[${i}].name: duplicate stage name "${st.name}"`);
    }
    seen.add(st.name);
  });
  return {
    stages: stages.map((st) => ({ ...st, azs: [...st.azs] })),
    nextSeq: 1,
    builds: {},
    queue: [],
    slots: stages.map((st) => ({ stage: st.name, buildId: null, phase: 'idle', since: 0, lastGoodBuildId: null, blocks: {}, runningBuildId: null })),
    hold: null,
    inflight: {},
    nextId: 1,
    retry: { ...retry },
    retrying: {},
  };
}

/** Apply one observation at time `now` (ms). Pure: `state` is not modified. */
export function step(state: PipelineState, obs: Observation, now: number): StepResult {
  const d = new Draft(state, now);
  apply(d, obs);
  advance(d);
  // Only a step that changed the builds can have more finished builds than before.
  if (d.buildsOwned) pruneBuilds(d.s, d.s.keepFinished);
  return { state: d.s, effects: d.effects };
}

function apply(d: Draft, obs: Observation): void {
  switch (obs.type) {
    case 'build_received':
      return receiveBuild(d, obs.build.id, obs.build.seq);
    case 'tick':
      return;
    case 'deploy_succeeded':
      return deploySucceeded(d, obs.key);
    case 'deploy_failed':
      return deployFailed(d, obs.key, obs.error, obs.retryable);
    case 'hold':
    case 'stop':
      return holdOrStop(d, obs.type, obs.actor, obs.reason);
    case 'resume':
      return resume(d, obs.actor, obs.reason);
    case 'block':
      return setBlock(d, obs.stage, obs.source, obs.reason);
    case 'unblock':
      return setBlock(d, obs.stage, obs.source, null);
    case 'judged_bad':
      return rollback(d, obs);
    case 'gate_verdict':
      return recordGate(d, obs);
    default: {
      const never: never = obs;
      throw new ReleasebotError('BAD_REQUEST', `unknown observation ${JSON.stringify(never)}`);
    }
  }
}
