/**
 * Leave-one-category-out cross-validation of the default detector on a NAB-layout directory.
 * For each category: choose the configuration (from a grid) with the best standard score on the
 * other categories, score it on the held-out one; the held-out raw scores, pooled over the folds
 * and normalised as NAB does, are the honest estimate of the score on unseen data. A configuration
 * may also be required to pass the stress suite (false alarms on healthy awkward streams).
 */
import { listNabFiles, readNabProfiles, readNabSeries, readNabWindows, toIndexWindows, type NabSeries } from './nab-data.js';
import { normalisedScore, scoreFile, type CostMatrix, type IndexWindow } from './nab-scorer.js';
import { defaultNabParams, replay } from './nab-backtest.js';
import { StreamingDetector, type DefaultParams } from '../detect/streaming-detector.js';
import { defaultParams } from '../detect/default-detector.js';
import { DEFAULT_GUARDS } from '../detect/guards.js';
import { stressSuite, type StressSeries } from './stress-data.js';
import { kindsSuite } from './stress-kinds.js';

/** A candidate configuration: changes to the default parameters. */
export interface Candidate {
  name: string;
  change: Partial<DefaultParams>;
}

/** Per-category totals of one candidate. */
interface CategoryScore {
  raw: number;
  scoredWindows: number;
  windows: number;
  detected: number;
  falseAlarms: number;
}

interface LoadedFile {
  series: NabSeries;
  windows: IndexWindow[];
}

/** Loads every labelled file of `dataDir` once. */
export function loadCorpus(dataDir: string): LoadedFile[] {
  const labels = readNabWindows(dataDir) ?? {};
  return listNabFiles(dataDir).map((f) => {
    const series = readNabSeries(f.path, f.category, f.name);
    return { series, windows: toIndexWindows(series.times, labels[series.key] ?? []) };
  });
}

/** Scores one candidate per category under one profile. */
export function scoreByCategory(files: LoadedFile[], c: Candidate, cost: CostMatrix): Map<string, CategoryScore> {
  const out = new Map<string, CategoryScore>();
  for (const f of files) {
    const p = { ...defaultNabParams(f.series), ...c.change };
    const { alarms } = replay(f.series, new StreamingDetector(p));
    const r = scoreFile(alarms, f.windows, cost);
    const acc = out.get(f.series.category) ?? { raw: 0, scoredWindows: 0, windows: 0, detected: 0, falseAlarms: 0 };
    acc.raw += r.raw;
    acc.scoredWindows += r.scoredWindows;
    acc.windows += f.windows.length;
    acc.detected += r.detected;
    acc.falseAlarms += r.falseAlarms;
    out.set(f.series.category, acc);
  }
  return out;
}

function pooled(parts: CategoryScore[], cost: CostMatrix): number {
  const t = parts.reduce((a, b) => ({ raw: a.raw + b.raw, scoredWindows: a.scoredWindows + b.scoredWindows, windows: a.windows + b.windows }), { raw: 0, scoredWindows: 0, windows: 0 });
  return normalisedScore(t.raw, t.scoredWindows, t.windows, cost);
}

/** Stress result of one candidate: alarms per 10,000 samples on each healthy stream (after a warm-up), beyond one per deliberate change. */
export function stressAlarms(c: Candidate, suite: StressSeries[], warmup = 750): number[] {
  return suite.map((s) => {
    const p = { ...defaultParams(300, 'both', DEFAULT_GUARDS), ...c.change };
    const det = new StreamingDetector(p);
    let alarms = 0;
    for (let i = 0; i < s.values.length; i++) if (det.step(s.values[i]).alarm && i >= warmup) alarms++;
    return (Math.max(0, alarms - s.shifts.length) * 10_000) / (s.values.length - warmup);
  });
}

/** The outcome of a cross-validation run. */
export interface CvReport {
  folds: { heldOut: string; chosen: string; trainScore: number; heldOutDetected: string; heldOutFalseAlarms: number }[];
  /** Pooled held-out score (the estimate for unseen data). */
  cvScore: number;
  /** The candidate chosen on all categories, and its (in-sample) score. */
  final: { name: string; score: number };
  /** Per candidate: in-sample score on all of nab-dev, worst stress rate, eligibility. */
  table: { name: string; score: number; stressWorst: number; eligible: boolean; stress: number[] }[];
}

/** Stress rates per stream averaged over the suites of several seeds (the generators' noise moves a rate by +-2 per 10k). */
export function meanStressAlarms(c: Candidate, suites: StressSeries[][]): number[] {
  const rates = suites.map((suite) => stressAlarms(c, suite));
  return rates[0].map((_, j) => rates.reduce((acc, r) => acc + r[j], 0) / rates.length);
}

/**
 * Runs leave-one-category-out CV over `candidates`. A candidate is eligible only when its worst
 * stress false-alarm rate (each stream's rate averaged over the suites of `stressSeeds`) is at most
 * `maxStressRate` per 10,000 samples. `kinds`: the suite includes the streams of the unseen NAB
 * kinds (stress-kinds.ts), judged by the same limit.
 */
export function crossValidate(dataDir: string, candidates: Candidate[], maxStressRate = Infinity, stressSeeds: number[] = [1], kinds = false): CvReport {
  const cost = readNabProfiles(dataDir).standard;
  const files = loadCorpus(dataDir);
  const suites = stressSeeds.map((seed) => (kinds ? [...stressSuite(seed), ...kindsSuite(seed)] : stressSuite(seed)));
  const per = candidates.map((c) => ({ c, cats: scoreByCategory(files, c, cost), stress: meanStressAlarms(c, suites) }));
  const table = per.map((x) => {
    const stressWorst = Math.max(...x.stress);
    return { name: x.c.name, score: pooled([...x.cats.values()], cost), stressWorst, eligible: stressWorst <= maxStressRate, stress: x.stress };
  });
  const eligible = per.filter((_, i) => table[i].eligible);
  const pool = eligible.length > 0 ? eligible : per;
  const categories = [...new Set(files.map((f) => f.series.category))];
  const best = (cats: string[]) => {
    let top = pool[0];
    let topScore = -Infinity;
    for (const x of pool) {
      const s = pooled(cats.map((k) => x.cats.get(k)!), cost);
      if (s > topScore) ((top = x), (topScore = s));
    }
    return { top, topScore };
  };
  const heldOut: CategoryScore[] = [];
  const folds = categories.map((cat) => {
    const { top, topScore } = best(categories.filter((k) => k !== cat));
    const h = top.cats.get(cat)!;
    heldOut.push(h);
    return { heldOut: cat, chosen: top.c.name, trainScore: topScore, heldOutDetected: `${h.detected}/${h.windows}`, heldOutFalseAlarms: h.falseAlarms };
  });
  const all = best(categories);
  return { folds, cvScore: pooled(heldOut, cost), final: { name: all.top.c.name, score: all.topScore }, table };
}
