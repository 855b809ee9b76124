/**
 * The live bench's script, drawn from one seed before the run: when builds arrive and which carry
 * a bad change (and how it hurts), when the daily spike falls, the traffic trend, the outside
 * incident (tied to a deploy step, so that it starts mid-bake) and the restart dip. Pure: the same
 * seed gives the same script (the bot's timing, live, then decides what meets what).
 */
import { mulberry32 } from '../../src/sim/noise.js';
import type { BadEffect } from './exporter.js';

const MIN = 60_000;

export interface ScheduledBuild {
  id: string;
  /** Milliseconds after the run's start. */
  atMs: number;
  bad?: BadEffect & { kind: 'errors' | 'latency' | 'both' };
}

export interface Schedule {
  builds: ScheduledBuild[];
  /** Milliseconds after the start when the daily spike begins (it recurs daily, also in the history). */
  spikeAtMs: number;
  trend: { atMs: number; spanMs: number; to: number; tier?: string };
  /** The outside incident starts `delayMs` after the `afterStep`-th deploy step (1-based), for `durationMs`. */
  incident: { afterStep: number; delayMs: number; durationMs: number; errors: number; latency: number };
  /** A revert build follows each rollback after this long (ms), into the rolled-back build's lingering symptoms. */
  revertDelayMs: () => number;
  restartDip: number;
}

export interface ScheduleOptions {
  seed: number;
  builds: number;
  minutes: number;
  /** No builds before this (ms): the exporter's first scrapes. */
  warmupMs: number;
  /** Time a good build needs to walk the whole pipeline (ms): the last one arrives that long before the end. */
  pipelineMs: number;
}

export function schedule(o: ScheduleOptions): Schedule {
  const rand = mulberry32(o.seed);
  const span = Math.max(MIN, o.minutes * MIN - o.warmupMs - o.pipelineMs);
  const gap = span / Math.max(1, o.builds - 1);
  const builds: ScheduledBuild[] = [];
  for (let i = 0; i < o.builds; i++) {
    const jitter = i === 0 ? 0 : (rand() - 0.5) * 0.6 * gap;
    builds.push({ id: `b${i + 1}`, atMs: Math.round(o.warmupMs + i * gap + jitter) });
  }
  // About a third bad, at least one bad and one good.
  const bad = builds.map(() => rand() < 0.35);
  if (!bad.some(Boolean)) bad[1 + Math.floor(rand() * (builds.length - 1))] = true;
  if (bad.every(Boolean)) bad[0] = false;
  builds.forEach((b, i) => {
    if (!bad[i]) return;
    const kind = (['errors', 'latency', 'both'] as const)[Math.floor(rand() * 3)];
    b.bad = {
      kind,
      errors: kind === 'latency' ? 1 : 4 + 6 * rand(),
      latency: kind === 'errors' ? 1 : 2 + 1.5 * rand(),
      lingerMs: (2 + 2 * rand()) * MIN,
    };
  });
  const end = o.minutes * MIN;
  const falling = rand() < 0.5;
  return {
    builds,
    spikeAtMs: Math.round(o.warmupMs + (0.2 + 0.4 * rand()) * (end - o.warmupMs)),
    trend: {
      atMs: Math.round((0.1 + 0.5 * rand()) * end),
      spanMs: Math.round((3 + 3 * rand()) * MIN),
      to: falling ? 0.6 + 0.15 * rand() : 1.3 + 0.2 * rand(),
      ...(rand() < 0.5 ? { tier: 'production' } : {}),
    },
    incident: { afterStep: 3 + Math.floor(rand() * 8), delayMs: Math.round((20 + 30 * rand()) * 1000), durationMs: Math.round((1 + rand()) * MIN), errors: 3 + 2 * rand(), latency: 1.8 + 0.7 * rand() },
    revertDelayMs: () => Math.round((30 + 60 * rand()) * 1000),
    restartDip: 0.1 + 0.2 * rand(),
  };
}
