import type { Clock } from '../clock/clock.js';
import type { Build } from '../domain/build.js';
import type { PipelineCommand } from '../domain/command.js';
import { asReleasebotError, ReleasebotError } from '../domain/errors.js';
import type { Actor, StageDef } from '../domain/pipeline.js';
import type { PipelineControl } from '../pipeline/control.js';
import type { PipelineRunner, RunnerStatus } from '../pipeline/runner.js';
import { adoptSavedState } from '../pipeline/saved-state.js';
import type { PipelineState, RetryPolicy } from '../pipeline/state.js';
import { initialState } from '../pipeline/step.js';
import type { Store } from '../store/store.js';

export interface ReplicaPipelineDeps {
  store: Store;
  /** Wall clock: refresh period and command waits are real time. */
  clock: Clock;
  stages: StageDef[];
  retry: RetryPolicy;
  gate: boolean;
  /** The runner while this replica leads, else undefined. */
  leader: () => PipelineRunner | undefined;
  /** How often a follower reloads the stored state. */
  refreshMs: number;
  /** How long a follower waits for the leader to answer a command before withdrawing it. */
  commandTimeoutMs: number;
  /** How often a waiting follower looks at its command. Default 100 ms. */
  pollMs?: number;
  log?: (line: string) => void;
}

/** A write refused because this replica stopped leading (fenced, or its runner closed): ask the leader instead. */
function notLeading(e: unknown): boolean {
  const d = asReleasebotError(e).details;
  return d?.fenceLost === true || d?.runnerClosed === true;
}

/**
 * The pipeline as the API, the UI and Slack see it on a replica. On the leader every call goes to
 * its runner. On a follower the state is the stored one, reloaded every `refreshMs` (polling its
 * version: see docs/operations.md for why not LISTEN/NOTIFY); a build is stored and announced to
 * the leader through the command inbox; a hold, stop, resume or rollback is stored as a command
 * that the leader applies (exactly once, with the answer in the same transaction), and the caller
 * waits for the leader's answer: the same value or error as on the leader.
 */
export class ReplicaPipeline implements PipelineControl {
  private state: PipelineState;
  private version: number | undefined;
  private readonly listeners = new Set<() => void>();
  private lastRefreshAt: number | undefined;
  private storeError: string | undefined;

  constructor(private readonly deps: ReplicaPipelineDeps) {
    this.state = { ...initialState(deps.stages, deps.retry), gateRequired: deps.gate };
  }

  snapshot(): PipelineState {
    return this.deps.leader()?.snapshot() ?? structuredClone(this.state);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell subscribers the state changed (the leader's runner moved, or a follower reloaded it). */
  changed(): void {
    for (const l of this.listeners) l();
  }

  status(): RunnerStatus {
    const leader = this.deps.leader();
    if (leader) return leader.status();
    const out: RunnerStatus = { store: this.storeError === undefined ? { ok: true } : { ok: false, error: this.storeError }, pendingResults: 0, tickMs: this.deps.refreshMs };
    if (this.lastRefreshAt !== undefined) out.lastLoopAt = this.lastRefreshAt;
    return out;
  }

  /** A follower's refresh: reload the stored state when its version moved. */
  async refresh(): Promise<void> {
    this.lastRefreshAt = this.deps.clock.now();
    if (this.deps.leader()) {
      this.version = undefined;
      return;
    }
    try {
      const v = await this.deps.store.stateVersion();
      if (v !== undefined && v !== this.version) {
        const saved = await this.deps.store.loadState();
        if (saved && !this.deps.leader()) {
          this.state = { ...adoptSavedState(saved.state, this.deps.stages, this.deps.retry), gateRequired: this.deps.gate };
          this.version = saved.version;
          this.changed();
        }
      }
      this.storeError = undefined;
    } catch (e) {
      this.storeError = asReleasebotError(e).message;
    }
  }

  /** Refresh every `refreshMs` until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.refresh();
      await this.deps.clock.sleep(this.deps.refreshMs, signal);
    }
  }

  async submitBuild(build: Build): Promise<'created' | 'exists'> {
    const r = this.deps.leader();
    if (r) {
      try {
        return await r.submitBuild(build);
      } catch (e) {
        if (!notLeading(e)) throw e;
      }
    }
    const res = await this.deps.store.putBuild(build);
    // Announced through the inbox (the leader also scans for stored builds it has not seen): none is missed in a burst.
    if (!(await this.deps.store.hasDecisionFor(build.id))) await this.deps.store.enqueueCommand({ kind: 'build', buildId: build.id }, this.deps.clock.now());
    return res;
  }

  hold(actor: Actor, reason: string): Promise<void> {
    return this.ask({ kind: 'hold', actor, reason }, (r) => r.hold(actor, reason));
  }

  stop(actor: Actor, reason: string): Promise<void> {
    return this.ask({ kind: 'stop', actor, reason }, (r) => r.stop(actor, reason));
  }

  resume(actor: Actor, reason: string): Promise<void> {
    return this.ask({ kind: 'resume', actor, reason }, (r) => r.resume(actor, reason));
  }

  rollback(buildId: string, actor: Actor, reason: string, evidence?: Record<string, unknown>): Promise<boolean> {
    const cmd: PipelineCommand = { kind: 'rollback', buildId, actor, reason, ...(evidence ? { evidence } : {}) };
    return this.ask(cmd, (r) => r.rollback(buildId, actor, reason, evidence)) as Promise<boolean>;
  }

  private async ask<T>(cmd: PipelineCommand, direct: (r: PipelineRunner) => Promise<T>): Promise<T> {
    const r = this.deps.leader();
    if (r) {
      try {
        return await direct(r);
      } catch (e) {
        // Refused because this replica just stopped leading: nothing was written; the new leader applies it.
        if (!notLeading(e)) throw e;
      }
    }
    return (await this.forward(cmd)) as T;
  }

  /** Store the command and wait for the leader's answer; withdraw it (503 NO_LEADER) when none comes in time. */
  private async forward(cmd: PipelineCommand): Promise<unknown> {
    const { store, clock } = this.deps;
    const id = await store.enqueueCommand(cmd, clock.now());
    const deadline = clock.now() + this.deps.commandTimeoutMs;
    for (;;) {
      const c = await store.getCommand(id);
      if (c?.status === 'done' && c.outcome) {
        if (c.outcome.ok) return c.outcome.value;
        throw new ReleasebotError(c.outcome.code, c.outcome.message, { commandId: id });
      }
      if (clock.now() >= deadline && (await store.cancelCommand(id))) {
        throw new ReleasebotError('NO_LEADER', `no leader applied this ${cmd.kind} within ${this.deps.commandTimeoutMs / 1000} s; nothing was done, try again`, { commandId: id });
      }
      await clock.sleep(this.deps.pollMs ?? 100);
    }
  }
}
