/**
 * The situations of issue 10 for `npm run bench:deploys -- --situations`: things real fleets do that
 * made the bot blame good builds. Each is installed on the SimRig's fleet or driven from the bench's
 * monitor-tick hook; `tagsAt` says which were in force at a moment, to attribute any mistake.
 *
 * - lingering symptoms: a bad change's symptoms fade over 4-5 min after its rollback, and a revert
 *   build arrives 1-3 min after every rollback, so it deploys into them;
 * - restarts: every deploy step dips the counter rates of the restarted share by 8-15% for a minute;
 * - traffic trends: two a day, traffic in one tier or all falls to 55-75% or rises to 130-160% over
 *   1-3 h (a drain, a failover, a launch), on top of the daily cycle;
 * - thin reference groups: the fleet has no `gov` environment and staging deploys to az1 only, so
 *   production stages are compared with the two tiny staging AZs that still run older builds;
 * - incidents that start mid-bake: 1 in 80 deploy steps is followed 2-4 min later by an outside
 *   incident (errors and latency x3-x5 everywhere for 5-15 min);
 * - outages of one AZ: one a day, errors and latency x3-x5 in one AZ of every tier for 10-20 min
 *   (drawn from `azRand`, their own stream, so the other situations stay as they were).
 */
import { SIM_STAGES, type SimRig } from '../src/monitor/sim-rig.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Fleet options for the thin-reference situation: one environment only. */
export const THIN_REFERENCE_FLEET = { environments: ['commercial'] as const };
/**
 * Stages for it: staging in az1 only (as the Slack-like pipeline has it), so its other two AZs,
 * tiny and always on older builds, are what production stages are compared with.
 */
export const THIN_REFERENCE_STAGES = (SIM_STAGES ?? []).map((s) => (s.name === 'staging' ? { ...s, azs: ['az1'] } : s));

export interface Situations {
  /** Extra fields for every bad change's effect (lingering). */
  badEffect: { lingerMs: number };
  /** Call on every monitor tick; returns the revert builds to submit now (ids). */
  onTick(): string[];
  /** Tags of the situations in force at `t` (for attributing a mistake). */
  tagsAt(t: number): string[];
  counts: Record<string, number>;
}

export function installSituations(rig: SimRig, rand: () => number, start: number, end: number, azRand?: () => number): Situations {
  const counts: Record<string, number> = { trends: 0, midBakeIncidents: 0, revertsAfterRollback: 0 };
  const fleet = rig.fleet;
  const azOutages: Array<{ start: number; end: number }> = [];
  for (let d = 0; azRand && d * DAY < end - start; d++) {
    const at = start + d * DAY + 24 * azRand() * HOUR;
    const outage = { start: at, end: at + (10 + 10 * azRand()) * MIN };
    const az = ['az1', 'az2', 'az3'][Math.floor(3 * azRand())];
    fleet.addIncident({ ...outage, metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 3 + 2 * azRand(), scope: { az } });
    azOutages.push(outage);
    counts.azOutages = (counts.azOutages ?? 0) + 1;
  }
  fleet.situations.setRestartDip({ depth: 0.08 + 0.07 * rand(), durationMs: MIN });
  const trends: Array<{ start: number; end: number }> = [];
  for (let d = 0; d * DAY < end - start; d++) {
    for (let k = 0; k < 2; k++) {
      const at = start + d * DAY + (24 * rand()) * HOUR;
      const span = (1 + 2 * rand()) * HOUR;
      const to = rand() < 0.5 ? 0.55 + 0.2 * rand() : 1.3 + 0.3 * rand();
      const tiers = ['production', 'canary', 'dogfood', 'staging'];
      const scope = rand() < 0.5 ? { tier: tiers[Math.floor(rand() * tiers.length)] } : undefined;
      // Up (or down) over the span, held for an hour, then back over the same span.
      fleet.situations.addTrafficTrend({ start: at, end: at + span, from: 1, to, ...(scope ? { scope } : {}) });
      fleet.situations.addTrafficTrend({ start: at + span + HOUR, end: at + 2 * span + HOUR, from: 1, to: 1 / to, ...(scope ? { scope } : {}) });
      trends.push({ start: at, end: at + 2 * span + HOUR });
      counts.trends++;
    }
  }
  const incidents: Array<{ start: number; end: number }> = [];
  const rollbacks: number[] = [];
  let seenSteps = 0;
  let reverts = 0;
  const due: Array<{ at: number; id: string }> = [];
  return {
    badEffect: { lingerMs: 4 * MIN + MIN * rand() },
    counts,
    onTick() {
      const now = rig.clock.now();
      for (; seenSteps < rig.steps.length; seenSteps++) {
        const s = rig.steps[seenSteps];
        if (s.request.kind === 'rollback') {
          // One revert per rollback moment (a rollback is one step per stage).
          if (rollbacks.length === 0 || s.at - rollbacks[rollbacks.length - 1] > MIN) {
            due.push({ at: s.at + (1 + 2 * rand()) * MIN, id: `r${++reverts}` });
            counts.revertsAfterRollback++;
          }
          rollbacks.push(s.at);
        } else if (rand() < 1 / 80) {
          const at = s.at + (2 + 2 * rand()) * MIN;
          const inc = { start: at, end: at + (5 + 10 * rand()) * MIN };
          fleet.addIncident({ ...inc, metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 3 + 2 * rand() });
          incidents.push(inc);
          counts.midBakeIncidents++;
        }
      }
      const ready = due.filter((d) => d.at <= now);
      for (const d of ready) due.splice(due.indexOf(d), 1);
      return ready.map((d) => d.id);
    },
    tagsAt(t) {
      const tags: string[] = [];
      if (rollbacks.some((r) => t >= r && t - r < 8 * MIN)) tags.push('after-rollback');
      if (trends.some((x) => t >= x.start && t < x.end)) tags.push('trend');
      if (incidents.some((x) => t >= x.start - 5 * MIN && t < x.end + 5 * MIN)) tags.push('mid-bake-incident');
      if (azOutages.some((x) => t >= x.start - 5 * MIN && t < x.end + 5 * MIN)) tags.push('az-outage');
      const hm = (t % DAY) / MIN;
      if (hm >= 13 * 60 + 50 && hm < 14 * 60 + 30) tags.push('daily-spike');
      return tags;
    },
  };
}
