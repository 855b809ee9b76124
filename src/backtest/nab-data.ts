import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ReleasebotError } from '../domain/errors.js';
import { NAB_PROFILES, type CostMatrix, type IndexWindow } from './nab-scorer.js';
import { lowerBound } from '../detect/series-stats.js';

/** One NAB data file: `category/name.csv` with its rows. */
export interface NabSeries {
  /** Key as in NAB's label files, e.g. `realAWSCloudwatch/ec2_cpu_utilization_24ae8d.csv`. */
  key: string;
  category: string;
  name: string;
  /** Raw timestamp strings (written back unchanged) and parsed times in ms. */
  stamps: string[];
  times: Float64Array;
  values: Float64Array;
}

/** Parses NAB's `YYYY-MM-DD HH:MM:SS[.ffffff]` timestamps as UTC milliseconds. */
export function parseNabTime(s: string): number {
  const t = Date.parse(`${s.trim().replace(' ', 'T').slice(0, 19)}Z`);
  if (Number.isNaN(t)) throw new ReleasebotError('BAD_REQUEST', `invalid NAB timestamp "${s}"`);
  return t;
}

/** Lists `DIR/data/<category>/<name>.csv`, sorted. */
export function listNabFiles(dir: string): { category: string; name: string; path: string }[] {
  const root = join(dir, 'data');
  if (!existsSync(root)) throw new ReleasebotError('NOT_FOUND', `no data directory at ${root} (expected NAB layout DIR/data/<category>/<name>.csv)`);
  const out: { category: string; name: string; path: string }[] = [];
  for (const category of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const name of readdirSync(join(root, category)).filter((f) => f.endsWith('.csv')).sort()) {
      out.push({ category, name, path: join(root, category, name) });
    }
  }
  return out;
}

/** Reads one NAB CSV (`timestamp,value` with a header). Unparsable values become NaN. */
export function readNabSeries(path: string, category: string, name: string): NabSeries {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const stamps: string[] = [];
  const vals: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new ReleasebotError('BAD_REQUEST', `${path}:${i + 1}: expected "timestamp,value"`);
    stamps.push(line.slice(0, comma));
    vals.push(Number(line.slice(comma + 1)));
  }
  const times = new Float64Array(stamps.length);
  for (let i = 0; i < stamps.length; i++) times[i] = parseNabTime(stamps[i]);
  return { key: `${category}/${name}`, category, name, stamps, times, values: Float64Array.from(vals) };
}

/** Reads `DIR/labels/combined_windows.json`, or undefined when the directory has no labels. */
export function readNabWindows(dir: string): Record<string, [string, string][]> | undefined {
  const path = join(dir, 'labels', 'combined_windows.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, [string, string][]>;
}

/** Reads `DIR/profiles.json` (NAB's layout: name -> {CostMatrix}) or falls back to NAB's built-in profiles. */
export function readNabProfiles(dir: string): Record<string, CostMatrix> {
  const path = join(dir, 'profiles.json');
  if (!existsSync(path)) return NAB_PROFILES;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  const out: Record<string, CostMatrix> = {};
  for (const [k, v] of Object.entries(raw)) {
    const c = v.CostMatrix;
    out[k] = { tpWeight: c.tpWeight, fpWeight: c.fpWeight, fnWeight: c.fnWeight };
  }
  return out;
}

/** Converts timestamp windows to inclusive row-index windows (first row >= start, last row <= end). */
export function toIndexWindows(times: Float64Array, windows: [string, string][]): IndexWindow[] {
  return windows
    .map(([a, b]): IndexWindow => [lowerBound(times, parseNabTime(a)), lowerBound(times, parseNabTime(b) + 1) - 1])
    .filter(([a, b]) => b >= a)
    .sort((x, y) => x[0] - y[0]);
}
