/**
 * Plays the schedule against the running bot, once a second: submits builds when due (a build
 * arriving while a bad change is still on main carries it, a revert too; a revert follows each rollback), starts
 * the outside incident after the chosen deploy step, and plays the on-call person who answers a
 * monitor stop after two minutes (rolls a bad build back, resumes a good one: a stop by mistake).
 */
import type { RunningBot } from './bot.js';
import type { BadEffect, LiveFleetExporter } from './exporter.js';
import type { RunRecord } from './report.js';
import type { Schedule } from './schedule.js';

const MIN = 60_000;

export interface DriverOptions {
  bot: RunningBot;
  exporter: LiveFleetExporter;
  schedule: Schedule;
  startMs: number;
  /** Hard end of the run (ms since epoch). */
  endMs: number;
  log: (line: string) => void;
}

type Built = RunRecord['builds'][number];

/**
 * What a build submitted now carries: its own bad change, else the first bad change still on main.
 * A revert too: it takes out only the change it reverts (already gone from `open`), so a revert
 * made while another bad build's change is on main contains that change.
 */
export function carriedEffect(b: { bad?: BadEffect; revert?: boolean }, open: ReadonlyArray<{ from: string; effect: BadEffect }>): (BadEffect & { carriedFrom?: string }) | undefined {
  const carried = open[0];
  return b.bad ?? (carried ? { ...carried.effect, carriedFrom: carried.from } : undefined);
}

export async function drive(o: DriverOptions): Promise<Pick<RunRecord, 'builds' | 'stoppedByMistake' | 'rolledBackByPerson' | 'tagsAt'>> {
  const { bot, exporter, schedule: s, startMs } = o;
  const builds: Built[] = [];
  const pending = s.builds.map((b) => ({ id: b.id, at: startMs + b.atMs, bad: b.bad, revert: false }));
  /** Bad changes on main: from the build that brought them until their first rollback. */
  const open: Array<{ from: string; effect: BadEffect }> = [];
  const stoppedByMistake = new Set<string>();
  const rolledBackByPerson = new Set<string>();
  const rollbackTimes: number[] = [];
  let seenSteps = 0;
  let deploySteps = 0;
  let reverts = 0;
  let incident: { start: number; end: number } | undefined;
  let stoppedSince: number | undefined;

  const submit = async (b: (typeof pending)[number], now: number) => {
    const effect = carriedEffect(b, open);
    if (b.bad) open.push({ from: b.id, effect: b.bad });
    if (effect) exporter.markBad(b.id, effect);
    builds.push({ id: b.id, submittedAt: now, ...(effect ? { bad: effect } : {}), ...(b.revert ? { revert: true } : {}) });
    o.log(`submit ${b.id}${effect ? ` (bad: errors x${effect.errors.toFixed(1)}, latency x${effect.latency.toFixed(1)})` : ''}`);
    await bot.submit(b.id);
  };

  const watchSteps = (now: number) => {
    for (; seenSteps < exporter.steps.length; seenSteps++) {
      const step = exporter.steps[seenSteps];
      o.log(`${step.kind} ${step.buildId} -> ${step.stage} (${step.targetBuildId ?? 'baseline'})`);
      if (step.kind === 'rollback') {
        // The revert lands on main: later builds no longer carry the change.
        const bad = builds.find((b) => b.id === step.buildId)?.bad;
        const i = bad ? open.findIndex((c) => c.from === (bad.carriedFrom ?? step.buildId)) : -1;
        if (i >= 0) open.splice(i, 1);
        if (!rollbackTimes.length || step.at - rollbackTimes[rollbackTimes.length - 1] > MIN) {
          pending.push({ id: `r${++reverts}`, at: now + s.revertDelayMs(), bad: undefined, revert: true });
        }
        rollbackTimes.push(step.at);
      } else if (++deploySteps === s.incident.afterStep) {
        const start = step.at + s.incident.delayMs;
        incident = { start, end: start + s.incident.durationMs };
        exporter.incidents.push({ ...incident, errors: s.incident.errors, latency: s.incident.latency });
        o.log(`outside incident scheduled at +${Math.round((start - startMs) / 1000)} s for ${Math.round(s.incident.durationMs / 1000)} s`);
      }
    }
  };

  const onCall = async (now: number) => {
    const hold = await bot.hold();
    if (!hold || hold.kind !== 'stop' || hold.actor.id !== 'monitor') return void (stoppedSince = undefined);
    stoppedSince ??= now;
    if (now - stoppedSince < 2 * MIN) return;
    const eventId = /^event (\S+):/.exec(hold.reason)?.[1];
    const target = (await bot.events()).find((e) => e.id === eventId)?.buildId ?? '';
    if (builds.find((b) => b.id === target)?.bad) {
      rolledBackByPerson.add(target);
      await bot.act('rollback', { buildId: target, reason: 'on-call: confirmed bad' }).catch((err) => o.log(`on-call rollback failed: ${err}`));
    } else if (target) stoppedByMistake.add(target);
    await bot.act('resume', { reason: 'on-call: looked, resuming' }).catch(() => undefined);
    o.log(`on-call answered the stop on ${target || '?'}`);
    stoppedSince = undefined;
  };

  const finals = new Set(['completed', 'rolled_back', 'tainted', 'superseded']);
  for (;;) {
    const now = Date.now();
    if (now >= o.endMs) break;
    watchSteps(now);
    for (const b of pending.filter((x) => x.at <= now)) {
      pending.splice(pending.indexOf(b), 1);
      await submit(b, now);
    }
    await onCall(now);
    if (!pending.length && builds.length) {
      const states = await bot.builds();
      if (builds.every((b) => finals.has(states[b.id]?.status ?? ''))) break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  watchSteps(Date.now());

  const spikeStart = startMs + s.spikeAtMs;
  const trendStart = startMs + s.trend.atMs;
  return {
    builds, stoppedByMistake, rolledBackByPerson,
    tagsAt(t) {
      const tags: string[] = [];
      if (rollbackTimes.some((r) => t >= r && t - r < 6 * MIN)) tags.push('after-rollback');
      if (t >= trendStart) tags.push(`trend(${s.trend.tier ?? 'all'} to x${s.trend.to.toFixed(2)})`);
      if (incident && t >= incident.start - 30_000 && t < incident.end + 5 * MIN) tags.push('outside-incident');
      if (t >= spikeStart && t < spikeStart + 12 * MIN + 5 * MIN) tags.push('daily-spike');
      if (exporter.steps.some((x) => t >= x.at && t - x.at < 90_000)) tags.push('restart<90s');
      return tags;
    },
  };
}
