import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listNabFiles, readNabProfiles, readNabSeries, readNabWindows, toIndexWindows, type NabSeries } from './nab-data.js';
import { normalisedScore, scoreFile, type IndexWindow } from './nab-scorer.js';
import { StreamingDetector } from '../detect/streaming-detector.js';
import { defaultParams, sampleStepSeconds } from '../detect/default-detector.js';
import { DEFAULT_GUARDS } from '../detect/guards.js';
import type { DefaultParams } from '../detect/streaming-detector.js';

/** Something that judges a stream one point at a time (each point only against earlier ones). */
export interface PointDetector {
  step(x: number): { score: number; alarm: boolean };
}

/** Builds a detector for one series; the backtest's default is the production default detector. */
export type DetectorFactory = (s: NabSeries) => PointDetector;

/** NAB default: the production default detector with its fixed configuration and default guards, both directions. */
export function defaultNabParams(s: NabSeries): DefaultParams {
  return defaultParams(sampleStepSeconds(s.times), 'both', DEFAULT_GUARDS);
}

export const defaultFactory: DetectorFactory = (s) => new StreamingDetector(defaultNabParams(s));

/** Summary of a backtest run, the shape printed by `--json`. */
export interface BacktestSummary {
  files: number;
  rows: number;
  windows: number;
  detected: number;
  falseAlarmEvents: number;
  profiles: Record<string, number>;
}

export interface BacktestOptions {
  dataDir: string;
  /** Where to write `<category>/<name>.csv`; omitted: nothing is written (ablation runs). */
  outDir?: string;
  factory?: DetectorFactory;
  onProgress?: (done: number, total: number, key: string) => void;
}

/** Replays every NAB file through a detector, writes the result CSVs and scores them when labels exist. */
export function runNabBacktest(o: BacktestOptions): BacktestSummary {
  const files = listNabFiles(o.dataDir);
  const labels = readNabWindows(o.dataDir);
  const profiles = readNabProfiles(o.dataDir);
  const factory = o.factory ?? defaultFactory;
  const raw: Record<string, number> = Object.fromEntries(Object.keys(profiles).map((k) => [k, 0]));
  let rows = 0, windows = 0, scoredWindows = 0, detected = 0, falseAlarms = 0;
  files.forEach((f, idx) => {
    const s = readNabSeries(f.path, f.category, f.name);
    rows += s.values.length;
    const { scores, alarms } = replay(s, factory(s));
    if (o.outDir) writeResult(o.outDir, s, scores, alarms);
    o.onProgress?.(idx + 1, files.length, s.key);
    if (!labels) return;
    const win: IndexWindow[] = toIndexWindows(s.times, labels[s.key] ?? []);
    windows += (labels[s.key] ?? []).length;
    Object.entries(profiles).forEach(([name, cost], k) => {
      const r = scoreFile(alarms, win, cost);
      raw[name] += r.raw;
      if (k === 0) {
        scoredWindows += r.scoredWindows;
        detected += r.detected;
        falseAlarms += r.falseAlarms;
      }
    });
  });
  const scores: Record<string, number> = {};
  if (labels) for (const [name, cost] of Object.entries(profiles)) scores[name] = normalisedScore(raw[name], scoredWindows, windows, cost);
  return { files: files.length, rows, windows, detected, falseAlarmEvents: falseAlarms, profiles: scores };
}

/** Streams one series through a detector. */
export function replay(s: NabSeries, det: PointDetector): { scores: Float64Array; alarms: Uint8Array } {
  const n = s.values.length;
  const scores = new Float64Array(n);
  const alarms = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = det.step(s.values[i]);
    scores[i] = r.score;
    alarms[i] = r.alarm ? 1 : 0;
  }
  return { scores, alarms };
}

function writeResult(outDir: string, s: NabSeries, scores: Float64Array, alarms: Uint8Array): void {
  const dir = join(outDir, s.category);
  mkdirSync(dir, { recursive: true });
  const lines = ['timestamp,value,anomaly_score,alarm'];
  for (let i = 0; i < s.values.length; i++) {
    lines.push(`${s.stamps[i]},${s.values[i]},${Number(scores[i].toFixed(6))},${alarms[i]}`);
  }
  writeFileSync(join(dir, s.name), `${lines.join('\n')}\n`);
}
