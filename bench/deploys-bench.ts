/**
 * `npm run bench:deploys [-- --days 7 --seed 9001 --json]`: a simulated week of deploys through the
 * real PipelineRunner, Monitor, SimulatedSource and fleet on a manual clock, with injected bad
 * changes, outside incidents and the fleet's daily 14:00 spike. Reports whether every bad change
 * was rolled back before 10% of production, how fast, and how many good builds were stopped or
 * rolled back by mistake. Seeds differ from the tests' (101-105).
 */
import { mulberry32 as rng } from '../src/sim/noise.js';
import { SimRig } from '../src/monitor/sim-rig.js';
import type { BadBuildEffect } from '../src/sim/fleet.js';
import type { Severity } from '../src/domain/events.js';
import { severityRank } from '../src/monitor/assess.js';
import { installSituations, THIN_REFERENCE_FLEET, THIN_REFERENCE_STAGES } from './deploy-situations.js';
import { runFaultScenarios } from './deploy-faults.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}


/** A bad change: in the build that introduced it and in every build that arrived before it was rolled back. */
interface BadChange {
  first: string;
  effect: BadBuildEffect;
  builds: Set<string>;
  closed: boolean;
}

const days = arg('days', 7);
const seed = arg('seed', 9001);
const json = process.argv.includes('--json');
const rand = rng(seed);
const start = Date.parse('2026-06-01T00:00:00Z'); // a Monday
const end = start + days * DAY;
const wall0 = Date.now();

// `--rollback blue,fire` runs a variant policy (rollback still needs high confidence).
const rollbackArg = process.argv.indexOf('--rollback');
const policy = rollbackArg >= 0 ? { rollback: process.argv[rollbackArg + 1].split(',') as Severity[] } : {};
// `--situations` adds issue 10's situations (bench/deploy-situations.ts) on a fleet without `gov`.
const withSituations = process.argv.includes('--situations');
const thin = withSituations ? { fleet: THIN_REFERENCE_FLEET, config: { policy, pipeline: { tick: '5s', stages: THIN_REFERENCE_STAGES } } } : {};
const rig = await SimRig.create({ start, seed, config: { policy }, ...thin });
// Their own random stream, so the builds, bad changes and incidents above stay the same with or without them.
// `--az-outages` adds one outage of one AZ a day (their own stream: without it the figures are as before).
const azOutages = process.argv.includes('--az-outages');
const situations = withSituations ? installSituations(rig, rng(seed * 31 + 7), start, end, azOutages ? rng(seed * 59 + 13) : undefined) : undefined;

// The script: builds every 20-40 min, 10% of them carrying a bad change; one outside incident a day.
const arrivals: Array<{ at: number; id: string; bad: boolean }> = [];
for (let t = start + 10 * MIN, n = 1; t < end - 2 * HOUR; t += (20 + 20 * rand()) * MIN, n++) {
  arrivals.push({ at: Math.round(t / 5000) * 5000, id: `b${n}`, bad: rand() < 0.1 });
}
let incidents = 0;
for (let d = 0; d < days; d++) {
  const at = start + d * DAY + (2 + 20 * rand()) * HOUR;
  rig.fleet.addIncident({ start: at, end: at + (10 + 10 * rand()) * MIN, metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 3 + 2 * rand() });
  incidents++;
}

const changes: BadChange[] = [];
const buildsSeen: string[] = [];
const person = { kind: 'person' as const, id: 'on-call' };
let stoppedSince: number | null = null;
const stopsByMistake = new Set<string>();
const humanRollbacks = new Set<string>();
const changeOf = (buildId: string) => changes.find((c) => c.builds.has(buildId));

/** The on-call person answers a monitor stop after 10 minutes: rolls back a bad build, resumes for a good one. */
async function onCall(): Promise<void> {
  const hold = rig.runner.snapshot().hold;
  if (!hold || hold.kind !== 'stop' || hold.actor.id !== 'monitor') {
    stoppedSince = null;
    return;
  }
  stoppedSince ??= rig.clock.now();
  if (rig.clock.now() - stoppedSince < 10 * MIN) return;
  const eventId = /^event (\S+):/.exec(hold.reason)?.[1];
  const event = eventId ? await rig.store.getEvent(eventId) : undefined;
  if (event && changeOf(event.buildId)) {
    humanRollbacks.add(event.buildId);
    await rig.runner.rollback(event.buildId, person, 'on-call: confirmed bad');
  } else if (event) {
    stopsByMistake.add(event.buildId);
  }
  if (rig.runner.snapshot().hold?.kind === 'stop') await rig.runner.resume(person, 'on-call: looked, resuming');
  stoppedSince = null;
}

/** Each monitor tick: the on-call person, then the situations' revert builds (they carry no rolled-back change). */
async function onTick(): Promise<void> {
  await onCall();
  for (const id of situations?.onTick() ?? []) {
    for (const c of changes) {
      if (c.closed || [...c.builds].some((b) => rig.steps.some((s) => s.request.kind === 'rollback' && s.request.buildId === b))) continue;
      c.builds.add(id);
      rig.fleet.markBadBuild(id, c.effect);
    }
    buildsSeen.push(id);
    await rig.submit(id);
  }
}

for (const a of arrivals) {
  await rig.advanceTo(a.at, onTick);
  // Builds arriving while a bad change is live contain it (one main branch); later ones carry its revert.
  for (const c of changes) {
    if (c.closed) continue;
    const status = rig.runner.snapshot().builds;
    const final = new Set(['tainted', 'rolled_back', 'completed', 'superseded']);
    if ([...c.builds].every((b) => final.has(status[b]?.status ?? ''))) c.closed = true;
  }
  const live = changes.filter((c) => !c.closed);
  if (a.bad) {
    const effect: BadBuildEffect = { metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 3 + 5 * rand(), ...situations?.badEffect };
    live.push({ first: a.id, effect, builds: new Set(), closed: false });
    changes.push(live[live.length - 1]);
  }
  for (const c of live) {
    c.builds.add(a.id);
    rig.fleet.markBadBuild(a.id, c.effect);
  }
  buildsSeen.push(a.id);
  await rig.submit(a.id);
}
await rig.advanceTo(end, onTick);

// Judge the outcome from the steps that took effect on the fleet and the pipeline's final state.
const state = rig.runner.snapshot();
const steps = rig.steps;
const deployedTo = (ids: Set<string>, pred: (tier: string) => boolean) =>
  steps.filter((s) => s.request.kind === 'deploy' && ids.has(s.request.targetBuildId ?? s.request.buildId) && pred(s.request.tier));
const exposedChanges = changes.filter((c) => deployedTo(c.builds, () => true).length > 0);
const results = exposedChanges.map((c) => {
  const exposure = Math.min(...deployedTo(c.builds, () => true).map((s) => s.at));
  const rollbacks = steps.filter((s) => s.request.kind === 'rollback' && c.builds.has(s.request.buildId)).map((s) => s.at);
  const reachedProd = deployedTo(c.builds, (t) => t === 'production').length > 0;
  const rolledBack = [...c.builds].every((b) => state.builds[b]?.status !== 'completed') && rollbacks.length > 0;
  const automatic = ![...c.builds].some((b) => humanRollbacks.has(b));
  return { first: c.first, factor: Number(c.effect.factor.toFixed(2)), reachedProd, rolledBack, automatic, minutes: rollbacks.length ? (Math.max(...rollbacks) - exposure) / MIN : null };
});
const badIds = new Set(changes.flatMap((c) => [...c.builds]));
const goodDeployed = buildsSeen.filter((b) => !badIds.has(b) && steps.some((s) => s.request.kind === 'deploy' && s.request.buildId === b));
const goodRolledBack = goodDeployed.filter((b) => state.builds[b]?.status === 'tainted' || state.builds[b]?.status === 'rolled_back');
const goodStopped = new Set([...goodRolledBack, ...[...stopsByMistake].filter((b) => !badIds.has(b))]);
const minutes = results.filter((r) => r.rolledBack && r.minutes !== null).map((r) => r.minutes!).sort((a, b) => a - b);
const median = minutes.length ? minutes[Math.floor((minutes.length - 1) / 2)] : null;
const events = await rig.store.listEvents({ limit: 100_000 });
const bySeverity = Object.fromEntries((['white', 'blue', 'red', 'siren', 'fire'] as Severity[]).map((s) => [s, events.filter((e) => e.severity === s).length]));
/** Good builds rolled back, stopped or held by a red (or worse) event, with the situations in force then. */
function mistakes(tagsAt: (t: number) => string[]) {
  const wrong = new Set([...goodStopped, ...events.filter((e) => !badIds.has(e.buildId) && severityRank(e.severity) >= severityRank('red') && e.confidence !== 'low').map((e) => e.buildId)]);
  return events
    .filter((e) => wrong.has(e.buildId) && severityRank(e.severity) >= severityRank('blue'))
    .map((e) => ({ build: e.buildId, stage: e.stage, at: new Date(e.openedAt).toISOString().slice(5, 16), severity: e.severity, confidence: e.confidence, action: e.action, tags: tagsAt(e.openedAt), summary: e.summary.slice(0, 200) }));
}
const report = {
  seed,
  days,
  policy: rig.config.policy,
  builds: buildsSeen.length,
  completedToProduction: Object.values(state.builds).filter((b) => b.status === 'completed').length,
  badChanges: changes.length,
  badChangesExposed: exposedChanges.length,
  badRolledBackBeforeProd10: results.filter((r) => r.rolledBack && !r.reachedProd).length,
  badRolledBackAutomatically: results.filter((r) => r.rolledBack && r.automatic && !r.reachedProd).length,
  badReachedProduction: results.filter((r) => r.reachedProd).length,
  medianMinutesExposureToRollback: median === null ? null : Number(median.toFixed(2)),
  maxMinutesExposureToRollback: minutes.length ? Number(minutes[minutes.length - 1].toFixed(2)) : null,
  goodBuildsDeployed: goodDeployed.length,
  goodStoppedByMistake: goodStopped.size,
  goodStoppedPer100: goodDeployed.length ? Number(((100 * goodStopped.size) / goodDeployed.length).toFixed(2)) : null,
  // Held, not stopped: red (or worse) events on good builds that blocked the stage, offered the
  // rollback and paged, and lifted by themselves when the event closed (no person, no rollback).
  goodHeldByRedEvent: new Set(events.filter((e) => !badIds.has(e.buildId) && goodDeployed.includes(e.buildId) && severityRank(e.severity) >= severityRank('red') && e.confidence !== 'low').map((e) => e.buildId)).size,
  outsideIncidents: incidents,
  events: bySeverity,
  lowConfidenceEvents: events.filter((e) => e.confidence === 'low').length,
  // Events escalated by a long hold past the bake (policy.escalateAfter): on bad or good builds, and what they did.
  escalated: events.filter((e) => e.escalated).map((e) => ({ build: e.buildId, bad: badIds.has(e.buildId), stage: e.stage, severity: e.severity, confidence: e.confidence, action: e.escalated!.action, minutes: Number((e.escalated!.heldForMs / MIN).toFixed(1)) })),
  situations: situations ? { ...situations.counts, mistakes: mistakes(situations.tagsAt) } : undefined,
  wallSeconds: Number(((Date.now() - wall0) / 1000).toFixed(1)),
  bad: results,
};
await rig.close();
// Fault scenarios (bench/deploy-faults.ts): crashing builds and metrics-backend outages, on a separate run.
const faultDays = arg('faults-days', 3);
const faults = faultDays > 0 ? await runFaultScenarios(seed, faultDays, () => Date.now()) : undefined;
Object.assign(report, { faults });
if (json) console.log(JSON.stringify(report));
else console.log(JSON.stringify(report, null, 2));
if (process.argv.includes('--events')) for (const e of events.reverse()) console.error(new Date(e.openedAt).toISOString().slice(11, 19), e.buildId, e.stage, e.severity, e.confidence, e.action, badIds.has(e.buildId) ? 'BAD' : 'good', e.summary.slice(0, 230));
