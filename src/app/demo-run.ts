import { rmSync } from 'node:fs';
import { ManualClock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { Decision } from '../domain/pipeline.js';
import type { PipelineState } from '../pipeline/state.js';
import { createApp, type App } from './create-app.js';
import { DemoPeople } from './demo-people.js';
import { demoScenario, revertBuild, type ScenarioStep } from './scenario.js';

/** The demo's simulated start: 13:20 UTC, so the fleet's daily 14:00 spike happens during the run. */
export const DEMO_START = Date.UTC(2026, 2, 10, 13, 20, 0);
/** Give up (and fail) if the scenario has not settled after this much simulated time. */
const DEMO_LIMIT_MS = 12 * 3600_000;

export interface DemoOptions {
  config: Config;
  speed: number;
  exitWhenDone: boolean;
  log: (line: string) => void;
  /** Receives console-notifier lines (Slack-less messages). */
  write: (line: string) => void;
}

/** The summary `--exit-when-done --json` prints. */
export interface DemoSummary {
  builds: number;
  reachedProduction: number;
  rolledBack: number;
  tainted: number;
  superseded: number;
  events: Array<{ id: string; buildId: string; stage: string; openedAt: number; severity: string; confidence: string; action?: string; summary: string }>;
  decisions: Array<Pick<Decision, 'at' | 'kind' | 'reason' | 'buildId' | 'stage'> & { actor: string }>;
  /** Which scripted builds were bad, and the furthest stage index each reached. */
  badBuilds: Array<{ id: string; status: string; furthestStage: string }>;
  simulatedMinutes: number;
}

function settled(state: PipelineState): boolean {
  const builds = Object.values(state.builds);
  const busy = builds.some((b) => b.status === 'queued' || b.status === 'in_pipeline');
  return !busy && Object.keys(state.inflight).length === 0;
}

/** One line on where the pipeline stands, for the error when the scenario does not settle. */
function describe(state: PipelineState): string {
  const slots = state.slots.filter((s) => s.buildId).map((s) => `${s.stage}=${s.buildId}(${s.phase}${Object.keys(s.blocks).length ? `, blocked: ${Object.values(s.blocks).join('; ')}` : ''})`);
  const builds = Object.values(state.builds).map((b) => `${b.id}:${b.status}`);
  return `hold=${state.hold ? `${state.hold.kind} (${state.hold.reason})` : 'none'}; stages ${slots.join(', ') || 'empty'}; queue ${state.queue.join(',') || 'empty'}; builds ${builds.join(' ')}`;
}

/** Performs one scripted step: a build arrives (marked bad on the fleet first) or an incident starts. */
async function act(app: App, step: ScenarioStep): Promise<void> {
  const fleet = app.fleet;
  if (!fleet) throw new Error('demo: the demo needs simulated metrics or a simulated deployer (a simulated fleet)');
  if (step.kind === 'build') {
    // Badness is a property of the build: it shows wherever the build runs.
    if (step.bad) fleet.markBadBuild(step.build.id, { metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 6 });
    await app.runner.submitBuild({ ...step.build, receivedAt: new Date(app.clock.now()).toISOString() });
  } else {
    fleet.addIncident({ start: step.at, end: step.at + step.durationMs, metrics: step.metrics as never, factor: step.factor });
  }
}

/** Builds the summary from what the store and the pipeline say. */
export async function summarise(app: App, steps: ScenarioStep[]): Promise<DemoSummary> {
  const state = app.runner.snapshot();
  const builds = Object.values(state.builds);
  const decisions = await app.store.listDecisions({ limit: 10_000 });
  const events = await app.store.listEvents({ limit: 1000 });
  const count = (s: string) => builds.filter((b) => b.status === s).length;
  const bad = steps.filter((s): s is Extract<ScenarioStep, { kind: 'build' }> => s.kind === 'build' && s.bad);
  return {
    builds: builds.length,
    reachedProduction: count('completed'),
    rolledBack: decisions.filter((d) => d.kind === 'rollback').length,
    tainted: count('tainted'),
    superseded: count('superseded'),
    events: events.map((e) => ({ id: e.id, buildId: e.buildId, stage: e.stage, openedAt: e.openedAt, severity: e.severity, confidence: e.confidence, action: e.action, summary: e.summary })),
    decisions: decisions.map((d) => ({ at: d.at, kind: d.kind, actor: `${d.actor.kind}:${d.actor.id}`, reason: d.reason, buildId: d.buildId, stage: d.stage })),
    badBuilds: bad.map((s) => {
      const b = state.builds[s.build.id];
      return { id: s.build.id, status: b?.status ?? 'unknown', furthestStage: b && b.stageIndex >= 0 ? state.stages[b.stageIndex].name : '-' };
    }),
    simulatedMinutes: Math.round((app.clock.now() - DEMO_START) / 60_000),
  };
}

/** Deletes the demo's SQLite file: the demo starts from scratch, an old run's state would replay into this one. */
function freshStore(url: string): void {
  if (url.startsWith('sqlite:') && !url.includes(':memory:')) {
    const file = url.slice('sqlite:'.length);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

function tooLong(app: App): Error {
  return new Error(`demo: scenario did not settle within ${DEMO_LIMIT_MS / 3600_000} simulated hours: ${describe(app.runner.snapshot())}`);
}

/**
 * Wall-time pacing for the live demo: after each step, wait until the wall clock has caught up with
 * `speed` times the simulated time passed. A machine too slow to keep up simply runs slower; it
 * never skips or reorders anything, because time only moves when the loop moves it.
 */
export class Pacer {
  private readonly wallStart = performance.now();
  constructor(
    private readonly speed: number,
    private readonly virtualStart: number,
  ) {}

  /** Resolves when simulated time `now` is due in wall time (at once when behind), or on abort. */
  wait(now: number, signal: AbortSignal): Promise<void> {
    const due = this.wallStart + (now - this.virtualStart) / this.speed;
    const ms = due - performance.now();
    if (ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * One pipeline tick of the simulation: time moves one tick, scripted steps that are due happen,
 * the pipeline ticks, and on monitor ticks the monitor, the scripted people and the outbox run;
 * each settles before the next, so what happens depends on the simulated clock alone.
 */
async function stepOnce(app: App, clock: ManualClock, pending: ScenarioStep[], people: DemoPeople): Promise<void> {
  const pipeMs = app.config.pipeline.tick * 1000;
  const monMs = app.config.monitor.tick * 1000;
  await clock.advance(pipeMs);
  const now = clock.now();
  while (pending.length > 0 && pending[0].at <= now) await act(app, pending.shift()!);
  await app.runner.settle();
  await app.runner.tick();
  await app.runner.settle();
  if (now % monMs < pipeMs) {
    await app.monitor.tick();
    await app.runner.settle();
    await people.look();
    await app.outbox.runOnce();
  }
}

/**
 * Runs the scenario on a ManualClock moved one pipeline tick at a time (as the deploy benchmark
 * does) until every scripted build has settled. Without `pacer` (`--exit-when-done`) as fast as the
 * machine allows; with it (live) no faster than `--speed`. Either way deterministic: a loaded
 * machine cannot make the monitor miss ticks or a build be superseded before it deploys.
 */
async function runStepped(app: App, clock: ManualClock, steps: ScenarioStep[], people: DemoPeople, signal: AbortSignal, pacer?: Pacer): Promise<void> {
  const pending = [...steps];
  while (!signal.aborted) {
    await stepOnce(app, clock, pending, people);
    if (pending.length === 0 && settled(app.runner.snapshot())) return;
    if (clock.now() - DEMO_START > DEMO_LIMIT_MS) throw tooLong(app);
    if (pacer) await pacer.wait(clock.now(), signal);
  }
}

/** After the scenario (live): time keeps moving at `speed` so the UI stays live and people can still act, until `signal` aborts. */
async function keepServing(app: App, clock: ManualClock, people: DemoPeople, signal: AbortSignal, pacer: Pacer): Promise<void> {
  while (!signal.aborted) {
    await stepOnce(app, clock, [], people);
    await pacer.wait(clock.now(), signal);
  }
}

/**
 * Runs the demo: a fresh SQLite store, the simulated fleet and deployer, the real runner, monitor,
 * notifiers and server, and the scripted builds, all on a ManualClock stepped by this loop. With
 * `exitWhenDone` it steps as fast as it can and resolves with the summary once every build has
 * settled. Live, it paces the steps at `speed`, hands the summary to `onSettled` when the scenario
 * is over, keeps serving (time still moving) until `signal` aborts, and resolves with the summary.
 */
export async function runDemo(
  opts: DemoOptions,
  signal: AbortSignal,
  onStarted: (app: App, url: string) => void,
  onSettled?: (summary: DemoSummary) => void,
): Promise<DemoSummary> {
  freshStore(opts.config.store.url);
  const clock = new ManualClock(DEMO_START);
  const app = await createApp({ config: opts.config, clock, log: opts.log, write: opts.write });
  const steps = demoScenario(DEMO_START + 60_000);
  const url = await app.start({ loops: false });
  onStarted(app, url);
  const bad = new Set(steps.flatMap((s) => (s.kind === 'build' && s.bad ? [s.build.id] : [])));
  const people = new DemoPeople(app, bad, (n, of, at) => revertBuild(steps, n, of, at));
  const pacer = opts.exitWhenDone ? undefined : new Pacer(opts.speed, DEMO_START);
  try {
    await runStepped(app, clock, steps, people, signal, pacer);
    const summary = await summarise(app, steps);
    if (pacer && !signal.aborted) {
      onSettled?.(summary);
      await keepServing(app, clock, people, signal, pacer);
    }
    return summary;
  } finally {
    await app.close();
  }
}
