import type { Decision, DecisionKind } from '../domain/pipeline.js';
import type { Observation } from './observation.js';
import type { Effect, PipelineState } from './state.js';
import { step } from './step.js';
import type { DeployRequest } from './deployer.js';

/**
 * Drives the pure reducer by hand: keeps the state, a virtual time and every effect produced.
 * For tests and for reasoning about scenarios without a runner; performs no I/O.
 */
export class ReducerDriver {
  readonly effects: Effect[] = [];

  constructor(
    public state: PipelineState,
    public now = 0,
  ) {}

  /** Apply one observation at the current time; returns the effects of this step. */
  observe(obs: Observation): Effect[] {
    const r = step(this.state, obs, this.now);
    this.state = r.state;
    this.effects.push(...r.effects);
    return r.effects;
  }

  /** Move time to `ms` (absolute) and tick. */
  at(ms: number): Effect[] {
    this.now = ms;
    return this.observe({ type: 'tick' });
  }

  /** Report success for every step in flight (oldest first); repeats until nothing is in flight. */
  succeedAll(): string[] {
    const done: string[] = [];
    for (let keys = this.inflightKeys(); keys.length > 0; keys = this.inflightKeys()) {
      for (const key of keys) {
        this.observe({ type: 'deploy_succeeded', key });
        done.push(key);
      }
    }
    return done;
  }

  inflightKeys(): string[] {
    return Object.keys(this.state.inflight);
  }

  /** Deploy requests issued so far (including retries), in order. */
  requests(): Array<DeployRequest & { attempt: number }> {
    return this.effects.flatMap((e) => (e.type === 'deploy' ? [{ ...e.request, attempt: e.attempt }] : []));
  }

  decisions(kind?: DecisionKind): Decision[] {
    return this.effects.flatMap((e) => (e.type === 'decision' && (!kind || e.decision.kind === kind) ? [e.decision] : []));
  }

  /** Occupant per stage, e.g. `{ staging: 'b3', dogfood: null }`. */
  occupants(): Record<string, string | null> {
    return Object.fromEntries(this.state.slots.map((s) => [s.stage, s.buildId]));
  }
}
