/**
 * NAB's scoring method (Lavin & Ahmad 2015; numenta/NAB nab/sweeper.py and nab/runner.py),
 * re-implemented for binary alarms:
 * - the first min(floor(0.15 * rows), 750) rows are a probation period and are not scored;
 * - inside a window only the best (earliest) alarm counts: tpWeight * S(p) / S(-1), with
 *   S(p) = 2 * sigmoid(-5p) - 1 and p = -(rightIndex - i + 1) / width;
 * - a scored window without an alarm costs fnWeight;
 * - an alarm outside every window costs fpWeight * S(p), with p = |prevRight - i| / (prevWidth - 1)
 *   past the previous window (S = -1 when there is none, or p >= 3);
 * - normalised: 100 * (raw - null) / (perfect - null), null = no alarms, perfect = tpWeight * windows.
 */

/** A scoring profile (NAB's cost matrix). */
export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** NAB's three profiles, as in its config/profiles.json. */
export const NAB_PROFILES: Record<string, CostMatrix> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

/** A window as inclusive row indices. */
export type IndexWindow = [start: number, end: number];

/** The outcome of scoring one file under one profile. */
export interface FileScore {
  raw: number;
  /** Windows with at least one scorable row. */
  scoredWindows: number;
  detected: number;
  /** Alarms outside every window, after probation. */
  falseAlarms: number;
}

/** NAB's scaled sigmoid. */
export function scaledSigmoid(p: number): number {
  if (p >= 3) return -1;
  return 2 / (1 + Math.exp(5 * p)) - 1;
}

/** NAB's probation length for a file of `rows` rows. */
export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

/** Scores the binary alarms of one file (alarms[i] != 0 means an alarm at row i). */
export function scoreFile(alarms: ArrayLike<number>, windows: IndexWindow[], cost: CostMatrix): FileScore {
  const n = alarms.length;
  const probation = probationLength(n);
  const maxTP = scaledSigmoid(-1);
  let fpSum = 0;
  let falseAlarms = 0;
  let scoredWindows = 0;
  let detected = 0;
  let tpSum = 0;
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  let i = 0;
  while (i < n) {
    const win = windows[w];
    if (win && i === win[0]) {
      // Inside a window: the first scorable alarm is the best one (S decreases to the right).
      const width = win[1] - win[0] + 1;
      let scorable = false;
      let best: number | undefined;
      for (let j = win[0]; j <= win[1] && j < n; j++) {
        if (j < probation) continue;
        scorable = true;
        if (best === undefined && alarms[j]) best = (scaledSigmoid(-(win[1] - j + 1) / width) * cost.tpWeight) / maxTP;
      }
      if (scorable) {
        scoredWindows++;
        if (best !== undefined) {
          detected++;
          tpSum += best;
        } else tpSum -= cost.fnWeight;
      }
      prevRight = win[1];
      prevWidth = width;
      i = win[1] + 1;
      w++;
      continue;
    }
    if (alarms[i] && i >= probation) {
      falseAlarms++;
      const p = prevRight < 0 ? 3 : Math.abs(prevRight - i) / (prevWidth - 1);
      fpSum += scaledSigmoid(p) * cost.fpWeight;
    }
    i++;
  }
  return { raw: tpSum + fpSum, scoredWindows, detected, falseAlarms };
}

/** Normalised corpus score: 100 * (raw - null) / (perfect - null). */
export function normalisedScore(raw: number, scoredWindows: number, totalWindows: number, cost: CostMatrix): number {
  const nullScore = -cost.fnWeight * scoredWindows;
  const perfect = cost.tpWeight * totalWindows;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
