/**
 * Leave-one-fold-out cross-validation of the default detector on a NAB-layout directory; a fold is a
 * category or a group of related series (nab-folds.ts). For each fold: choose the configuration
 * (from a grid) with the best standard score on the other folds, score it on the held-out one; the
 * held-out raw scores, pooled over the folds and normalised as NAB does, are the honest estimate of
 * the score on unseen data. A configuration may also be required to pass the stress suite (false
 * alarms on healthy awkward streams).
 */
import { listNabFiles, readNabProfiles, readNabSeries, readNabWindows, toIndexWindows, type NabSeries } from './nab-data.js';
import { normalisedScore, scoreFile, type CostMatrix, type IndexWindow } from './nab-scorer.js';
import { defaultNabParams, replay } from './nab-backtest.js';
import { StreamingDetector, type DefaultParams } from '../detect/streaming-detector.js';
import { defaultParams } from '../detect/default-detector.js';
import { DEFAULT_GUARDS } from '../detect/guards.js';
import { stressSuite, type StressSeries } from './stress-data.js';
import { kindsSuite } from './stress-kinds.js';
import { foldOf, type FoldMode } from './nab-folds.js';

/** A candidate configuration: changes to the default parameters. */
export interface Candidate {
  name: string;
  change: Partial<DefaultParams>;
}

/** Totals of one candidate over some files (a fold, or one file). */
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

/** Scores one candidate on each file under one profile (same order as `files`). */
export function scoreByFile(files: LoadedFile[], c: Candidate, cost: CostMatrix): CategoryScore[] {
  return files.map((f) => {
    const p = { ...defaultNabParams(f.series), ...c.change };
    const { alarms } = replay(f.series, new StreamingDetector(p));
    const r = scoreFile(alarms, f.windows, cost);
    return { raw: r.raw, scoredWindows: r.scoredWindows, windows: f.windows.length, detected: r.detected, falseAlarms: r.falseAlarms };
  });
}

/** Sums per-file totals by fold (`foldNames[i]` is file i's fold). */
export function totalsByFold(perFile: CategoryScore[], foldNames: string[]): Map<string, CategoryScore> {
  const out = new Map<string, CategoryScore>();
  perFile.forEach((r, i) => {
    const acc = out.get(foldNames[i]) ?? { raw: 0, scoredWindows: 0, windows: 0, detected: 0, falseAlarms: 0 };
    acc.raw += r.raw;
    acc.scoredWindows += r.scoredWindows;
    acc.windows += r.windows;
    acc.detected += r.detected;
    acc.falseAlarms += r.falseAlarms;
    out.set(foldNames[i], acc);
  });
  return out;
}

/** Scores one candidate per category under one profile. */
export function scoreByCategory(files: LoadedFile[], c: Candidate, cost: CostMatrix): Map<string, CategoryScore> {
  return totalsByFold(scoreByFile(files, c, cost), files.map((f) => f.series.category));
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
  /** How the files were split: per category or per group of related series (nab-folds.ts). */
  foldMode: FoldMode;
  folds: { heldOut: string; files: number; chosen: string; trainScore: number; heldOutScore: number | null; heldOutDetected: string; heldOutFalseAlarms: number }[];
  /** Pooled held-out score (the estimate for unseen data). */
  cvScore: number;
  /** The candidate chosen on all categories, and its (in-sample) score. */
  final: { name: string; score: number };
  /** Per candidate: in-sample score on all of nab-dev, worst stress rate, eligibility. */
  table: { name: string; score: number; stressWorst: number; eligible: boolean; stress: number[] }[];
  /** Selection stability: each configuration the folds chose, with how many folds (most first). */
  picks: { name: string; folds: number }[];
}

/** Stress rates per stream averaged over the suites of several seeds (the generators' noise moves a rate by +-2 per 10k). */
export function meanStressAlarms(c: Candidate, suites: StressSeries[][]): number[] {
  const rates = suites.map((suite) => stressAlarms(c, suite));
  return rates[0].map((_, j) => rates.reduce((acc, r) => acc + r[j], 0) / rates.length);
}

/**
 * Runs leave-one-fold-out CV over `candidates` (folds: one per category, or per group of related
 * series, see nab-folds.ts). A candidate is eligible only when its worst stress false-alarm rate
 * (each stream's rate averaged over the suites of `stressSeeds`) is at most `maxStressRate` per
 * 10,000 samples. `kinds`: the suite includes the streams of the unseen NAB kinds
 * (stress-kinds.ts), judged by the same limit.
 */
export function crossValidate(dataDir: string, candidates: Candidate[], maxStressRate = Infinity, stressSeeds: number[] = [1], kinds = false, foldMode: FoldMode = 'category'): CvReport {
  const cost = readNabProfiles(dataDir).standard;
  const files = loadCorpus(dataDir);
  const foldNames = files.map((f) => foldOf(f.series.category, f.series.name, foldMode));
  const suites = stressSeeds.map((seed) => (kinds ? [...stressSuite(seed), ...kindsSuite(seed)] : stressSuite(seed)));
  const per = candidates.map((c) => ({ c, cats: totalsByFold(scoreByFile(files, c, cost), foldNames), stress: meanStressAlarms(c, suites) }));
  const table = per.map((x) => {
    const stressWorst = Math.max(...x.stress);
    return { name: x.c.name, score: pooled([...x.cats.values()], cost), stressWorst, eligible: stressWorst <= maxStressRate, stress: x.stress };
  });
  const eligible = per.filter((_, i) => table[i].eligible);
  const pool = eligible.length > 0 ? eligible : per;
  const foldList = [...new Set(foldNames)];
  const best = (keys: string[]) => {
    let top = pool[0];
    let topScore = -Infinity;
    for (const x of pool) {
      const s = pooled(keys.map((k) => x.cats.get(k)!), cost);
      if (s > topScore) ((top = x), (topScore = s));
    }
    return { top, topScore };
  };
  const heldOut: CategoryScore[] = [];
  const folds = foldList.map((fold) => {
    const { top, topScore } = best(foldList.filter((k) => k !== fold));
    const h = top.cats.get(fold)!;
    heldOut.push(h);
    return {
      heldOut: fold,
      files: foldNames.filter((k) => k === fold).length,
      chosen: top.c.name,
      trainScore: topScore,
      heldOutScore: h.windows > 0 ? pooled([h], cost) : null,
      heldOutDetected: `${h.detected}/${h.windows}`,
      heldOutFalseAlarms: h.falseAlarms,
    };
  });
  const all = best(foldList);
  const counts = new Map<string, number>();
  for (const f of folds) counts.set(f.chosen, (counts.get(f.chosen) ?? 0) + 1);
  const picks = [...counts].map(([name, n]) => ({ name, folds: n })).sort((a, b) => b.folds - a.folds);
  return { foldMode, folds, cvScore: pooled(heldOut, cost), final: { name: all.top.c.name, score: all.topScore }, table, picks };
}
