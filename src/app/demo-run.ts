import { rmSync } from 'node:fs';
import { ManualClock, ScaledClock, type Clock } from '../clock/clock.js';
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
  clock?: Clock;
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

/** Live mode: performs each scripted step when the (scaled) clock reaches it. */
async function drive(app: App, steps: ScenarioStep[], signal: AbortSignal): Promise<void> {
  for (const step of steps) {
    const wait = step.at - app.clock.now();
    if (wait > 0) await app.clock.sleep(wait);
    if (signal.aborted) return;
    await act(app, step);
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
 * Stepped mode (`--exit-when-done`): a ManualClock moved one pipeline tick at a time, each component
 * stepped and settled before time moves on, as the deploy benchmark does. Deterministic, and as fast
 * as the machine allows: a loaded machine cannot make the monitor miss ticks.
 */
async function runStepped(app: App, clock: ManualClock, steps: ScenarioStep[], people: DemoPeople, signal: AbortSignal): Promise<void> {
  const pipeMs = app.config.pipeline.tick * 1000;
  const monMs = app.config.monitor.tick * 1000;
  const pending = [...steps];
  while (!signal.aborted) {
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
    if (pending.length === 0 && settled(app.runner.snapshot())) return;
    if (now - DEMO_START > DEMO_LIMIT_MS) throw tooLong(app);
  }
}

/** Live mode: the scaled clock runs, every component runs its own loop, people look every 30 s. */
async function runLive(app: App, steps: ScenarioStep[], people: DemoPeople, signal: AbortSignal): Promise<void> {
  const driving = drive(app, steps, signal);
  while (!signal.aborted) {
    await app.clock.sleep(30_000);
    await people.look();
  }
  void driving;
}

/**
 * Runs the demo: a fresh SQLite store, the simulated fleet and deployer, the real runner, monitor,
 * notifiers and server, and the scripted builds. With `exitWhenDone` it steps a ManualClock and
 * resolves with the summary once every build has settled; otherwise it runs live on a ScaledClock
 * at `speed` and keeps serving until `signal` aborts.
 */
export async function runDemo(opts: DemoOptions, signal: AbortSignal, onStarted: (app: App, url: string) => void): Promise<DemoSummary> {
  freshStore(opts.config.store.url);
  const manual = opts.exitWhenDone ? new ManualClock(DEMO_START) : undefined;
  const clock = opts.clock ?? manual ?? new ScaledClock(DEMO_START, opts.speed);
  const app = await createApp({ config: opts.config, clock, log: opts.log, write: opts.write });
  const steps = demoScenario(DEMO_START + 60_000);
  const url = await app.start({ loops: !manual });
  onStarted(app, url);
  const bad = new Set(steps.flatMap((s) => (s.kind === 'build' && s.bad ? [s.build.id] : [])));
  const people = new DemoPeople(app, bad, (n, of, at) => revertBuild(steps, n, of, at));
  try {
    if (manual) await runStepped(app, manual, steps, people, signal);
    else await runLive(app, steps, people, signal);
    return await summarise(app, steps);
  } finally {
    await app.close();
  }
}
