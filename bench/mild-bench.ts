/**
 * `npm run bench:mild [-- --hours 3,10,14,20 --seed 7 --json]`: one bad build at a time through the
 * simulated fleet's six stages (SIM_STAGES, SIM_CHECKS), each hurting one kind of metric by a
 * modest factor (errors x1.5-3, p95 x1.2-2, requests x0.5-0.8, failed jobs x3; some in one AZ only), deployed at several
 * hours of the day (14:00 is the daily spike). Reports for each where it was stopped, how, and
 * whether it reached 10% of production. `bench:deploys` injects x3-8 on errors and latency together;
 * this one asks how small a change the bot still stops before production.
 */
import { SimRig } from '../src/monitor/sim-rig.js';
import type { FleetMetric } from '../src/sim/topology.js';

const MIN = 60_000;
const DAY = Date.parse('2026-03-10T00:00:00Z'); // a Tuesday, as in the monitor's tests

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const CASES: Array<{ name: string; metrics: FleetMetric[]; factor: number; azs?: string[] }> = [
  { name: 'errors x1.5', metrics: ['http_errors_rate'], factor: 1.5 },
  { name: 'errors x2', metrics: ['http_errors_rate'], factor: 2 },
  { name: 'errors x3', metrics: ['http_errors_rate'], factor: 3 },
  { name: 'p95 x1.2', metrics: ['http_latency_p95_ms'], factor: 1.2 },
  { name: 'p95 x1.4', metrics: ['http_latency_p95_ms'], factor: 1.4 },
  { name: 'p95 x2', metrics: ['http_latency_p95_ms'], factor: 2 },
  { name: 'requests x0.5', metrics: ['http_requests_rate'], factor: 0.5 },
  { name: 'requests x0.8', metrics: ['http_requests_rate'], factor: 0.8 },
  { name: 'failed jobs x3', metrics: ['jobs_failed_rate'], factor: 3 },
  { name: 'errors and p95 x1.6', metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 1.6 },
  // A build that breaks on something one AZ has: the stage's other AZs stay normal.
  { name: 'az2: errors, p95 x3', metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 3, azs: ['az2'] },
  { name: 'az2: p95 x1.6', metrics: ['http_latency_p95_ms'], factor: 1.6, azs: ['az2'] },
  { name: 'az2: requests x0.4', metrics: ['http_requests_rate'], factor: 0.4, azs: ['az2'] },
];

const hours = arg('hours', '3,10,14,20').split(',').map(Number);
const seed = Number(arg('seed', '7'));
const json = process.argv.includes('--json');
const rows: Array<Record<string, unknown>> = [];
for (const hour of hours) {
  for (const c of CASES) {
    // Seven minutes past the hour: the daily spike (14:00-14:20) is under way at 14.
    const rig = await SimRig.create({ seed: seed + hour, start: DAY + hour * 60 * MIN + 7 * MIN });
    rig.fleet.markBadBuild('bad', { metrics: c.metrics, factor: c.factor, ...(c.azs ? { azs: c.azs } : {}) });
    const t0 = rig.clock.now();
    await rig.submit('bad');
    await rig.advanceTo(t0 + 75 * MIN);
    const steps = rig.steps.filter((s) => s.request.buildId === 'bad');
    const reached = [...new Set(steps.filter((s) => s.request.kind === 'deploy').map((s) => (s.request.tier === 'production' ? `prod-${s.request.percent}` : s.request.tier)))];
    // The stage whose event decided the rollback (the rollback's steps then walk back every stage reached).
    const rollback = (await rig.store.listDecisions({ limit: 1000 })).find((d) => d.kind === 'rollback' && d.buildId === 'bad');
    const events = await rig.store.listEvents({ buildId: 'bad' });
    rows.push({
      hour,
      change: c.name,
      status: rig.runner.snapshot().builds.bad.status,
      reachedProduction: reached.some((r) => r.startsWith('prod-')),
      stages: reached,
      rolledBackAt: rollback ? { stage: rollback.stage, minutes: Number(((rollback.at - t0) / MIN).toFixed(1)) } : null,
      events: events.reverse().map((e) => `${e.stage}: ${e.severity}, ${e.confidence}, ${e.action}${e.escalated ? `, escalated (${e.escalated.action})` : ''}`),
    });
    await rig.close();
  }
}
if (json) console.log(JSON.stringify({ seed, hours, rows }, null, 2));
else {
  for (const r of rows) {
    const rb = r.rolledBackAt as { stage: string; minutes: number } | null;
    const where = rb ? `rolled back at ${rb.stage} after ${rb.minutes} min` : `${r.status}, reached ${(r.stages as string[]).at(-1)}`;
    console.log(`${String(r.hour).padStart(2)}:07 ${String(r.change).padEnd(20)} ${r.reachedProduction ? 'REACHED PRODUCTION ' : ''}${where}  [${(r.events as string[]).join('; ')}]`);
  }
  const stopped = rows.filter((r) => !r.reachedProduction).length;
  console.log(`${stopped} of ${rows.length} kept out of production`);
}
