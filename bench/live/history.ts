/**
 * Backfilled history for the live bench: `days` of the same fleet (fleet-model.ts) before the
 * exporter starts, so baselines and seasonal rules (yesterday, a week ago) have something to read.
 * Older than `podHours`, one series per cell (pod label `<tier>-<az>-h`: the processes of before);
 * the last `podHours`, the live pods' own series, whose counters the exporter then continues (no
 * reset when the bench starts, and the switch of series lies outside a 3 h baseline). One sample a
 * minute; promtool turns each UTC day into one block (faster than one big file).
 */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mulberry32 } from '../../src/sim/noise.js';
import {
  BASE_ERROR_RATIO, cellMedian, cellName, cellRps, count, counterLines, latencyNoise, normalDraw, podLabels, poissonDraw, zeroCounters,
  type Counters, type DailySpike, type LiveCell,
} from './fleet-model.js';

const run = promisify(execFile);
const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface HistoryOptions {
  cells: LiveCell[];
  spike: DailySpike;
  seed: number;
  days: number;
  /** Last sample time (ms); history covers (endMs - days, endMs]. */
  endMs: number;
  stepMs?: number;
  /** The last this many hours are per pod (default 4). */
  podHours?: number;
}

/** Series of the history: per cell before `podsFrom`, per pod after. */
interface Source {
  cell: LiveCell;
  name: string;
  /** Share of the cell's traffic. */
  share: number;
  counters: Counters;
}

export interface History {
  days: { day: number; text: string }[];
  /** Each pod's counters at `endMs`, by pod name (the exporter starts from them). */
  pods: Map<string, Counters>;
}

/** OpenMetrics text per UTC day (each series' samples contiguous, in time order) and the pods' final counters. */
export function history(o: HistoryOptions): History {
  const step = o.stepMs ?? 60_000;
  const rand = mulberry32(o.seed * 13 + 5);
  const podsFrom = o.endMs - (o.podHours ?? 4) * HOUR;
  const old: Source[] = o.cells.map((cell) => ({ cell, name: `${cellName(cell)}-h`, share: 1, counters: zeroCounters() }));
  const pods: Source[] = o.cells.flatMap((cell) => Array.from({ length: cell.pods }, (_, i) => ({ cell, name: `${cellName(cell)}-${i}`, share: 1 / cell.pods, counters: zeroCounters() })));
  const days: { day: number; text: string }[] = [];
  const start = Math.ceil((o.endMs - o.days * DAY) / step) * step;
  for (let day = Math.floor(start / DAY) * DAY; day <= o.endMs; day += DAY) {
    const lines = new Map<string, string[]>();
    const push = (sample: string, t: number) => {
      const name = sample.slice(0, sample.lastIndexOf(' '));
      let l = lines.get(name);
      if (!l) lines.set(name, (l = []));
      l.push(`${sample} ${t / 1000}`);
    };
    for (let t = Math.max(start, day); t < Math.min(day + DAY, o.endMs + 1); t += step) {
      for (const src of t < podsFrom ? old : pods) {
        // The mean of the 15 s wobble slots in the step, as the live pods see them second by second.
        const slots = Math.max(1, Math.round(step / 15_000));
        let rps = 0;
        for (let k = 0; k < slots; k++) rps += (cellRps(src.cell, o.spike, [], t - k * 15_000, o.seed) * src.share) / slots;
        const n = poissonDraw(rps * (step / 1000), rand);
        const errors = Math.min(n, poissonDraw(n * BASE_ERROR_RATIO, rand));
        // Live, each pod draws its median's noise every second; over a step that averages out by sqrt(draws).
        const draws = (step / 1000) * (src.cell.pods * src.share);
        const median = cellMedian(src.cell, o.spike, t) * (1 + (latencyNoise(n / draws) * 0.5 * normalDraw(rand)) / Math.sqrt(draws));
        count(src.counters, n, errors, median);
        const { requests, histogram } = counterLines(podLabels(src.cell, src.name), src.counters);
        for (const s of [...requests, ...histogram]) push(s, t);
      }
    }
    // Gauges to promtool (the type is not stored in blocks; rate() reads counters of any type).
    const families = new Map<string, string[]>();
    for (const [name, l] of lines) {
      const family = name.slice(0, name.indexOf('{'));
      const f = families.get(family);
      if (f) for (const x of l) f.push(x);
      else families.set(family, [...l]);
    }
    const text = [...families].flatMap(([f, l]) => [`# TYPE ${f} gauge`, ...l]);
    if (text.length) days.push({ day, text: text.join('\n') + '\n# EOF\n' });
  }
  return { days, pods: new Map(pods.map((p) => [p.name, p.counters])) };
}

/** Writes the history into the TSDB directory `data` with promtool, one day at a time (little CPU at once). */
export async function backfill(promtool: string, dir: string, data: string, h: History): Promise<number> {
  let samples = 0;
  for (const { day, text } of h.days) {
    const file = join(dir, `day-${day}.om`);
    await writeFile(file, text);
    samples += text.split('\n').length;
    await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', '-q', file, data], { maxBuffer: 64 << 20 });
    await rm(file);
  }
  return samples;
}
