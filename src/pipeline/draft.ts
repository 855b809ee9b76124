import type { Actor, Decision, DecisionKind } from '../domain/pipeline.js';
import type { DeployRequest } from './deployer.js';
import { clearGate } from './gate.js';
import type { BuildState, Effect, PipelineState, RetryPolicy, SlotState } from './state.js';

/** The orchestrator itself, as the actor of its own decisions. */
export const ORCHESTRATOR: Actor = { kind: 'bot', id: 'orchestrator' };

/** Used when the state carries no retry policy. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 2, backoffSeconds: 5 };

/**
 * A working copy of the state for one `step` call, plus the effects it produces. Copy-on-write, so a
 * tick costs what changes, not the size of the state: the top level, the queue, the slots (with their
 * blocks), the in-flight and retry maps and the hold are shallow copies that helpers may change; the
 * builds map and each build are the caller's until `mut(id)` / `addBuild` / `ownBuilds` copies them.
 * The caller's state is never touched (the property tests freeze it to make sure).
 */
export class Draft {
  readonly effects: Effect[] = [];
  readonly s: PipelineState;
  /** True once the builds map is this draft's own copy (a build was added, changed or dropped). */
  buildsOwned = false;
  private readonly copied = new Set<string>();

  constructor(
    base: PipelineState,
    readonly now: number,
  ) {
    this.s = {
      ...base,
      queue: [...base.queue],
      slots: base.slots.map((sl) => ({ ...sl, blocks: { ...sl.blocks } })),
      inflight: { ...base.inflight },
      retrying: { ...(base.retrying ?? {}) },
      hold: base.hold ? { ...base.hold } : null,
    };
  }

  /** Make the builds map this draft's own (before adding or deleting entries). */
  ownBuilds(): Record<string, BuildState> {
    if (!this.buildsOwned) {
      this.s.builds = { ...this.s.builds };
      this.buildsOwned = true;
    }
    return this.s.builds;
  }

  /** A build this draft may change (copied on first use); undefined for unknown ids. */
  mut(id: string | null | undefined): BuildState | undefined {
    if (!id || !this.s.builds[id]) return undefined;
    if (!this.copied.has(id)) {
      const b = this.s.builds[id];
      this.ownBuilds()[id] = { ...b, includes: [...b.includes] };
      this.copied.add(id);
    }
    return this.s.builds[id];
  }

  /** Add (or replace) a build this draft created. */
  addBuild(b: BuildState): void {
    this.ownBuilds()[b.id] = b;
    this.copied.add(b.id);
  }

  /** Log a decision with a stable id. */
  decide(kind: DecisionKind, actor: Actor, reason: string, extra: Pick<Decision, 'buildId' | 'stage' | 'evidence'> = {}): void {
    const decision: Decision = { id: `d${this.s.nextId++}`, at: this.now, kind, actor, reason };
    if (extra.buildId !== undefined) decision.buildId = extra.buildId;
    if (extra.stage !== undefined) decision.stage = extra.stage;
    if (extra.evidence !== undefined) decision.evidence = extra.evidence;
    this.effects.push({ type: 'decision', decision });
  }

  /** Start a new deploy step on stage `k` (a fresh idempotency key) and record it as in flight. */
  startStep(kind: DeployRequest['kind'], buildId: string, targetBuildId: string | null, k: number): string {
    const stage = this.s.stages[k];
    const key = `${kind}:${buildId}:${stage.name}:${this.s.nextId++}`;
    const request: DeployRequest = {
      key,
      kind,
      buildId,
      targetBuildId,
      stage: stage.name,
      environment: stage.environment,
      tier: stage.tier,
      azs: [...stage.azs],
      percent: stage.percent,
    };
    this.issue(request, 1);
    this.s.slots[k].stepKey = key;
    return key;
  }

  /** Emit a deploy effect for `request` (a first attempt or a retry) and track it in `inflight`. */
  issue(request: DeployRequest, attempt: number): void {
    this.s.inflight[request.key] = { type: 'deploy', request, attempt, startedAt: this.now };
    this.effects.push({ type: 'deploy', request, attempt });
  }

  /** Forget a step in flight or waiting for a retry (a rollback replaced it). */
  cancelStep(key: string | undefined): void {
    if (key === undefined) return;
    delete this.s.inflight[key];
    if (this.s.retrying) delete this.s.retrying[key];
  }

  retryPolicy(): RetryPolicy {
    return this.s.retry ?? DEFAULT_RETRY;
  }

  stageIndex(name: string): number {
    return this.s.slots.findIndex((sl) => sl.stage === name);
  }

  build(id: string | null | undefined): BuildState | undefined {
    return id ? this.s.builds[id] : undefined;
  }

  /** Put the slot into `phase` now. */
  setPhase(slot: SlotState, phase: SlotState['phase']): void {
    slot.phase = phase;
    slot.since = this.now;
    if (phase !== 'baking') delete slot.bakeUntil;
    // A bake end and a gate verdict belong to one stay in 'ready'; any other phase starts over.
    if (phase !== 'ready') clearGate(slot);
    // A hold past the bake lasts from 'baking' into 'ready' (a block at the bake's end); any other phase starts over.
    if (phase !== 'ready') delete slot.heldSince;
  }
}
