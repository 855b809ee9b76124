/**
 * Fault scenarios for `npm run bench:deploys` (run after the main week; `--faults-days N`, default 3,
 * `--faults-days 0` skips them): the same simulated fleet and bot, with builds that crash their tier
 * (its metrics vanish) and metrics-backend outages of 1-10 minutes at random moments. Reports
 * whether every dark build was stopped before 10% of production, whether any build was promoted
 * during an outage, and whether an outage caused a rollback or a stop of a good build.
 */
import { mulberry32 as rng } from '../src/sim/noise.js';
import { SimRig } from '../src/monitor/sim-rig.js';
import { markCrashingBuild, scheduleBackendOutage } from '../src/sim/faults.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;


export interface FaultFigures {
  days: number;
  builds: number;
  darkBuilds: number;
  darkBuildsDeployed: number;
  darkStoppedBeforeProd10: number;
  darkRolledBackAutomatically: number;
  outages: number;
  outageMinutes: number;
  promotionsDuringOutage: number;
  goodRolledBack: number;
  goodStoppedByOutage: number;
  goodCompleted: number;
  gateRecords: { pass: number; inconclusive: number; breach: number };
  wallSeconds: number;
}

export async function runFaultScenarios(seed: number, days: number, wall: () => number): Promise<FaultFigures> {
  const wall0 = wall();
  const rand = rng(seed ^ 0x9e3779b9);
  const start = Date.parse('2026-06-08T00:00:00Z');
  const end = start + days * DAY;
  const rig = await SimRig.create({ start, seed: seed + 1 });
  const dark = new Set<string>();
  const outages: Array<{ start: number; end: number }> = [];
  for (let d = 0; d < days; d++) {
    for (let k = 0; k < 3; k++) {
      const at = Math.round((start + d * DAY + 24 * HOUR * rand()) / 1000) * 1000;
      const o = { start: at, end: at + Math.round((1 + 9 * rand()) * MIN) };
      outages.push(o);
      scheduleBackendOutage(rig.source, o.start, o.end);
    }
  }
  const arrivals: Array<{ at: number; id: string; crash: boolean }> = [];
  for (let t = start + 10 * MIN, n = 1; t < end - 2 * HOUR; t += (20 + 20 * rand()) * MIN, n++) {
    arrivals.push({ at: Math.round(t / 5000) * 5000, id: `f${n}`, crash: rand() < 0.15 });
  }
  const person = { kind: 'person' as const, id: 'on-call' };
  const stoppedGood = new Set<string>();
  let stoppedSince: number | null = null;
  // The on-call person answers a stop after 10 minutes: rolls back a dark build, resumes otherwise.
  const onCall = async () => {
    const hold = rig.runner.snapshot().hold;
    if (!hold || hold.kind !== 'stop') return void (stoppedSince = null);
    stoppedSince ??= rig.clock.now();
    if (rig.clock.now() - stoppedSince < 10 * MIN) return;
    const eventId = /^event (\S+):/.exec(hold.reason)?.[1];
    const event = eventId ? await rig.store.getEvent(eventId) : undefined;
    if (event && dark.has(event.buildId)) await rig.runner.rollback(event.buildId, person, 'on-call: confirmed bad');
    else if (event) stoppedGood.add(event.buildId);
    if (rig.runner.snapshot().hold?.kind === 'stop') await rig.runner.resume(person, 'on-call: resuming');
    stoppedSince = null;
  };
  for (const a of arrivals) {
    await rig.advanceTo(a.at, onCall);
    if (a.crash) {
      dark.add(a.id);
      markCrashingBuild(rig.fleet, a.id);
    }
    await rig.submit(a.id);
  }
  await rig.advanceTo(end, onCall);

  const state = rig.runner.snapshot();
  const decisions = await rig.store.listDecisions();
  const deployed = (id: string, tier?: string) => rig.steps.some((s) => s.request.kind === 'deploy' && s.request.buildId === id && (tier === undefined || s.request.tier === tier));
  const inOutage = (t: number) => outages.some((o) => t >= o.start && t < o.end);
  const moves = decisions.filter((d) => (d.kind === 'promote' && !/entered the first stage/.test(d.reason)) || d.kind === 'complete');
  const darkDeployed = [...dark].filter((id) => deployed(id));
  const good = arrivals.filter((a) => !a.crash).map((a) => a.id);
  const rolledBack = new Set(decisions.filter((d) => d.kind === 'rollback' && d.buildId).map((d) => d.buildId!));
  const autoRolledBack = new Set(decisions.filter((d) => d.kind === 'rollback' && d.actor.id === 'monitor' && d.buildId).map((d) => d.buildId!));
  const gates = await rig.store.listGateRecords();
  await rig.close();
  return {
    days,
    builds: arrivals.length,
    darkBuilds: dark.size,
    darkBuildsDeployed: darkDeployed.length,
    darkStoppedBeforeProd10: darkDeployed.filter((id) => !deployed(id, 'production')).length,
    darkRolledBackAutomatically: darkDeployed.filter((id) => autoRolledBack.has(id)).length,
    outages: outages.length,
    outageMinutes: Number((outages.reduce((m, o) => m + o.end - o.start, 0) / MIN).toFixed(1)),
    promotionsDuringOutage: moves.filter((d) => inOutage(d.at)).length,
    // A good build rolled back only because a dark build it rode with was: not the outage's doing.
    goodRolledBack: good.filter((id) => rolledBack.has(id) && state.builds[id]?.status === 'tainted' && !/contains the commits/.test(state.builds[id]?.reason ?? '')).length,
    goodStoppedByOutage: [...stoppedGood].filter((id) => !dark.has(id)).length,
    goodCompleted: good.filter((id) => state.builds[id]?.status === 'completed').length,
    gateRecords: { pass: gates.filter((g) => g.verdict === 'pass').length, inconclusive: gates.filter((g) => g.verdict === 'inconclusive').length, breach: gates.filter((g) => g.verdict === 'breach').length },
    wallSeconds: Number(((wall() - wall0) / 1000).toFixed(1)),
  };
}
