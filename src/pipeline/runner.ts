import { waitAtMost } from '../clock/clock.js';
import type { Build } from '../domain/build.js';
import type { CommandOutcome, StoredCommand } from '../domain/command.js';
import { asReleasebotError, ReleasebotError } from '../domain/errors.js';
import type { Actor } from '../domain/pipeline.js';
import type { PipelineControl } from './control.js';
import type { DeployRequest } from './deployer.js';
import type { Observation } from './observation.js';
import { progressNotes, toNotification } from './progress.js';
import { adoptSavedState } from './saved-state.js';
import type { Effect, PipelineState } from './state.js';
import { initialState, step } from './step.js';
import { stateChanged } from './state-diff.js';
import { StepTrace } from './step-trace.js';
import { ResultInbox, type StepResult } from './result-inbox.js';
import { StepRuns } from './step-runs.js';
import { applyStoredCommand } from './runner-commands.js';
import { RunnerWork } from './runner-work.js';
import { recoverBuilds, recoverInflight, type RecoveryHost } from './runner-recovery.js';
import { attemptStep, type StepAttemptDeps } from './step-attempt.js';
import type { CloseSummary, PipelineRunnerDeps, RunnerStatus } from './runner-deps.js';

export type { CloseSummary, PipelineRunnerDeps, RunnerStatus } from './runner-deps.js';

/** How long close() waits for aborted deploy steps to end. */
const ABORTED_STEP_WAIT_MS = 2000;

/**
 * The thin shell around the pure reducer. Observations are applied one at a time; each transition's
 * decisions, deploy-step traces and state are persisted BEFORE its deploy effects run. Deploys run in
 * the background (`StepRuns`: one at a time per stage, so a rollback waits for the step it cancelled to stop)
 * and feed their results back as observations. `start()` loads the saved state and performs again the
 * steps that were in flight when the last process died, except those whose success was recorded.
 */
export class PipelineRunner implements PipelineControl {
  private state: PipelineState;
  private version = 0;
  private readonly work = new RunnerWork();
  private readonly steps: StepRuns;
  private readonly attempt: StepAttemptDeps;
  private readonly recovery: RecoveryHost;
  private readonly listeners = new Set<() => void>();
  private readonly trace: StepTrace;
  private readonly inbox: ResultInbox;
  private closed = false;
  private readonly stopLoop = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  /** A state write failed: the store may or may not have it, so reload before the next transition. */
  private needsResync = false;
  private lastLoopAt: number | undefined;

  constructor(private readonly deps: PipelineRunnerDeps) {
    this.state = { ...initialState(deps.stages, deps.retry), gateRequired: deps.gate ?? false };
    this.trace = new StepTrace(deps.store);
    this.steps = new StepRuns(deps.log);
    this.inbox = new ResultInbox((r) => this.recordResult(r), () => deps.clock.now(), deps.log);
    const { deployer, clock, log } = deps;
    this.attempt = { deployer, clock, ...(log ? { log } : {}), work: this.work, closed: () => this.closed, retries: () => this.state.retry!.retries };
    this.recovery = {
      store: deps.store,
      trace: this.trace,
      seen: (id) => this.seen(id),
      observe: (obs) => this.observe(obs),
      inflight: (key) => this.state.inflight[key] !== undefined,
      perform: (req, attempt) => this.perform(req, attempt),
    };
  }

  /** Load (or create) the saved state, recover unfinished work, and run the tick loop unless `loop: false`. */
  async start(opts: { loop?: boolean } = {}): Promise<void> {
    await this.work.serial(async () => {
      const saved = await this.deps.store.loadState();
      this.state = saved ? this.adopt(saved.state) : this.state;
      this.version = saved?.version ?? (await this.deps.store.saveState(this.state, 0));
    });
    // Taken before recoverBuilds: the builds it takes in start steps that must not be performed twice.
    const inflight = Object.values(this.state.inflight);
    await recoverBuilds(this.recovery);
    await recoverInflight(this.recovery, inflight);
    if (opts.loop !== false) this.loopDone = this.loop();
  }

  /** The store, step results and the loop as the runner sees them now. */
  status(): RunnerStatus {
    const out: RunnerStatus = { store: { ...this.inbox.status }, pendingResults: this.inbox.size, tickMs: this.deps.tickMs ?? 1000 };
    if (this.lastLoopAt !== undefined) out.lastLoopAt = this.lastLoopAt;
    return out;
  }

  private adopt(saved: unknown): PipelineState {
    return { ...adoptSavedState(saved, this.deps.stages, this.deps.retry), gateRequired: this.deps.gate ?? false };
  }

  /**
   * Stop taking work: the tick loop ends (it wakes from its sleep) and no deploy step starts any
   * more. Steps already running get up to `drainMs` of clock time to finish; their results are
   * recorded as usual. Whatever still runs then is aborted and handed over: nothing is recorded for
   * it, so the next start() performs it again under the same idempotency key. Resolves with the keys
   * of the steps that finished while draining and of those handed over.
   */
  async close(opts: { drainMs?: number } = {}): Promise<CloseSummary> {
    this.steps.stop();
    this.stopLoop.abort();
    const inFlight = this.steps.keys();
    const drainMs = opts.drainMs ?? 0;
    if (drainMs > 0 && this.steps.size > 0) await waitAtMost(this.deps.clock, this.steps.drained(), drainMs);
    this.closed = true;
    this.steps.handOverAll();
    // An aborted step ends quickly (its command killed): wait a moment so its process records are cleared.
    if (this.steps.size > 0) await waitAtMost(this.deps.clock, this.steps.drained(), ABORTED_STEP_WAIT_MS);
    await this.work.quiet();
    await this.loopDone;
    return this.steps.summary(inFlight);
  }

  /** Apply one observation (serialised with all others); resolves with its effects once persisted. */
  observe(obs: Observation): Promise<Effect[]> {
    if ((obs.type === 'block' || obs.type === 'unblock') && !this.state.slots.some((s) => s.stage === obs.stage)) {
      return Promise.reject(new ReleasebotError('NOT_FOUND', `${obs.type}: unknown stage "${obs.stage}"`, { stage: obs.stage }));
    }
    return this.work.serial(() => this.transition(obs));
  }

  /** Time passed: first try again to record step results the store refused, then tick the reducer. */
  async tick(): Promise<Effect[]> {
    // While the store is down, a cheap round trip tells when it is back even if nothing waits to be written.
    if (!this.inbox.status.ok) await this.deps.store.ping().then(() => this.inbox.noteStore(undefined), (e: unknown) => this.inbox.noteStore(e));
    await this.inbox.flush();
    if (this.deps.sharedStore) await recoverBuilds(this.recovery, 20);
    return this.observe({ type: 'tick' });
  }

  /**
   * Resolves when no observation, result handling or notification started so far is still running.
   * Deploy steps still inside the deployer are not waited for (they may wait on the clock).
   */
  settle(): Promise<void> {
    return this.work.settle();
  }

  async submitBuild(build: Build): Promise<'created' | 'exists'> {
    const res = await this.deps.store.putBuild(build);
    // Also when it 'exists': a crash between putBuild and the transition must not lose the build.
    if (!(await this.seen(build.id))) await this.observe({ type: 'build_received', build: { id: build.id } });
    return res;
  }

  /** Has the orchestrator taken `id` in? Its state prunes old builds; the decision log (written with the state) keeps them. */
  private async seen(id: string): Promise<boolean> {
    return this.state.builds[id] !== undefined || (await this.deps.store.hasDecisionFor(id));
  }

  async hold(actor: Actor, reason: string): Promise<void> {
    await this.observe({ type: 'hold', actor, reason });
  }
  async stop(actor: Actor, reason: string): Promise<void> {
    await this.observe({ type: 'stop', actor, reason });
  }
  async resume(actor: Actor, reason: string): Promise<void> {
    await this.observe({ type: 'resume', actor, reason });
  }

  rollback(buildId: string, actor: Actor, reason: string, evidence?: Record<string, unknown>): Promise<boolean> {
    // Checked inside the serial section, so two clicks at once roll back once.
    return this.work.serial(() => this.rollbackNow(buildId, actor, reason, evidence));
  }

  private async rollbackNow(buildId: string, actor: Actor, reason: string, evidence?: Record<string, unknown>, command?: number): Promise<boolean> {
    const b = this.state.builds[buildId];
    if (!b && (await this.deps.store.getBuild(buildId))) {
      throw new ReleasebotError('CONFLICT', `rollback: build "${buildId}" finished long ago and the pipeline no longer tracks it; roll back the oldest tracked build that contains it`, { buildId });
    }
    if (!b) throw new ReleasebotError('NOT_FOUND', `rollback: unknown build "${buildId}"`, { buildId });
    if (b.status === 'tainted') return false;
    const stage = this.state.stages[b.stageIndex]?.name ?? 'queue';
    await this.transition({ type: 'judged_bad', buildId, stage, actor, reason, evidence }, command === undefined ? undefined : { id: command, outcome: { ok: true, value: true } });
    return true;
  }

  /** Apply a command from the replicas' inbox exactly once (`runner-commands.ts`). */
  applyCommand(c: StoredCommand): Promise<CommandOutcome> {
    return this.work.serial(() =>
      applyStoredCommand(c, {
        store: this.deps.store,
        seen: (id) => this.seen(id),
        transition: (obs, command) => this.transition(obs, command),
        rollback: (buildId, actor, reason, evidence, command) => this.rollbackNow(buildId, actor, reason, evidence, command),
        writeFailed: () => this.needsResync || this.closed,
      }),
    );
  }

  snapshot(): PipelineState {
    return structuredClone(this.state);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Apply `obs` and persist the transition (decisions, step traces, state) in one store transaction
   * before any effect runs. If the write fails the outcome is unknown (it may have committed), so
   * the next transition first reloads the stored state.
   */
  private async transition(obs: Observation, command?: { id: number; outcome: CommandOutcome }): Promise<Effect[]> {
    if (this.closed) throw new ReleasebotError('CONFLICT', 'pipeline runner is closed', { runnerClosed: true });
    if (this.needsResync) await this.resync();
    const now = this.deps.clock.now();
    const r = step(this.state, obs, now);
    if (r.effects.length === 0 && !stateChanged(this.state, r.state)) {
      if (command) await this.deps.store.finishCommand(command.id, command.outcome);
      return [];
    }
    try {
      const steps = [];
      for (const e of r.effects) if (e.type === 'deploy') steps.push(await this.trace.opening(e.request, e.attempt, now));
      const decisions = r.effects.flatMap((e) => (e.type === 'decision' ? [e.decision] : []));
      const write = { decisions, steps, state: r.state, expectedVersion: this.version, ...(command ? { command } : {}) };
      const fence = this.deps.fence?.();
      this.version = await this.deps.store.commitTransition(fence ? { ...write, fence } : write);
      this.trace.remember(steps);
    } catch (e) {
      this.needsResync = true;
      this.inbox.noteStore(e);
      throw e;
    }
    this.inbox.noteStore(undefined);
    this.state = r.state;
    this.afterTransition(r.effects, now);
    return r.effects;
  }

  /**
   * Take the stored state after a failed write. When it moved (the write committed after all, or
   * another writer), adopt it and start the steps it has in flight that this process does not run.
   */
  private async resync(): Promise<void> {
    const saved = await this.deps.store.loadState();
    this.needsResync = false;
    if (!saved || saved.version === this.version) return;
    this.deps.log?.(`pipeline: stored state moved (version ${this.version} -> ${saved.version}); taking it over`);
    this.state = this.adopt(saved.state);
    this.version = saved.version;
    this.steps.abortWhere((key) => !this.state.inflight[key]);
    for (const entry of Object.values(this.state.inflight)) this.perform(entry.request, entry.attempt);
    for (const l of this.listeners) l();
  }

  private afterTransition(effects: Effect[], now: number): void {
    this.steps.abortWhere((key) => !this.state.inflight[key]);
    for (const e of effects) {
      if (e.type === 'deploy') this.perform(e.request, e.attempt);
      else this.deps.log?.(`decision ${e.decision.kind}${e.decision.buildId ? ' ' + e.decision.buildId : ''}${e.decision.stage ? ' @' + e.decision.stage : ''} by ${e.decision.actor.id}: ${e.decision.reason}`);
    }
    for (const l of this.listeners) l();
    const notify = this.deps.onNotify;
    if (!notify) return;
    const state = this.state;
    for (const note of progressNotes(state, effects)) {
      this.work.track(
        toNotification(note, state, (id) => this.deps.store.getBuild(id), now).then((n) => n && notify(n)),
        (e) => this.deps.log?.(`pipeline: ${asReleasebotError(e).message}`),
      );
    }
  }

  private perform(req: DeployRequest, attempt: number): void {
    // Never the same key twice at once: it runs already, or its result waits for the store.
    // Stopping: steps.start refuses, and the state keeps the step in flight for the next start.
    if (this.inbox.has(req.key)) return;
    this.work.begin();
    const run = this.steps.start(req, async (signal, ended) => {
      const result = await attemptStep(this.attempt, req, attempt, signal, ended);
      if (result) await this.inbox.add(result);
    });
    if (run) void run.catch(() => undefined).finally(() => this.work.end());
    else this.work.end();
  }

  /** Store a step's end and feed it to the reducer; throws (and the inbox keeps it) while the store is down. */
  private async recordResult(r: StepResult): Promise<void> {
    // A closed runner stands for a dead process: nothing is recorded, and start() performs the step again.
    if (this.closed) return;
    await this.trace.ended(r.req, r.attempt, r.endedAt, r.error, r.final);
    const key = r.req.key;
    await this.observe(r.error === undefined ? { type: 'deploy_succeeded', key } : { type: 'deploy_failed', key, error: r.error, retryable: true });
  }

  private async loop(): Promise<void> {
    const tickMs = this.deps.tickMs ?? 1000;
    const stop = this.stopLoop.signal;
    while (!stop.aborted) {
      await this.deps.clock.sleep(tickMs, stop);
      if (stop.aborted) return;
      this.lastLoopAt = this.deps.clock.now();
      await this.tick().catch((e) => this.deps.log?.(`pipeline tick: ${asReleasebotError(e).message}`));
    }
  }
}
