import type { Direction, Verdict } from './verdict.js';
import type { Samples } from './check.js';
import { rangeMean } from './series-stats.js';
import { fmt } from './zscore.js';
import { periodMean } from './period-mean.js';

/** Parameters of the threshold rules (times in ms). */
export interface ThresholdParams {
  /** Static level, if configured. */
  static?: number;
  mode: 'off' | 'dynamic' | 'seasonal';
  /** Length of the judged window: its average is compared with the level. */
  windowMs: number;
  /** Length of the history averaged by the dynamic threshold. */
  dynamicWindowMs: number;
  direction: Direction;
  /** Minimum finite samples in the judged window / averaged history. */
  minSamples: number;
  seasonal?: { dayAgo?: Samples; weekAgo?: Samples };
}

/**
 * Static, dynamic and seasonal threshold rule.
 * - static: the level is the configured value;
 * - dynamic: max(static, average over (now-window-dynamic, now-window]) (min(...) for direction `down`);
 * - seasonal: as dynamic, but the average is the mean of the averages of today's history and of every
 *   sample given for one day and seven days ago (each period weighs the same).
 * The judged value is the average of the judged window (now-window, now], so one noisy scrape does
 * not breach a level. Thresholds are levels: direction `down` breaches below the level, `up` and
 * `both` above it (a single level has no sensible two-sided meaning).
 */
export function thresholdVerdict(s: Samples, now: number, p: ThresholdParams): Verdict {
  const judged = rangeMean(s, now - p.windowMs, now);
  const end = now - p.windowMs;
  // Why only when dynamic: the static rule needs no history, so do not read it.
  const history = p.mode === 'off' ? { count: 0, mean: NaN } : rangeMean(s, end - p.dynamicWindowMs, end);
  return thresholdFromMeans(judged, history, p);
}

/** Count and mean of the finite values of a range. */
export interface RangeMean {
  count: number;
  mean: number;
}

/**
 * The threshold rule from precomputed averages: `judged` over (now-window, now] and `history`
 * over (now-window-dynamic, now-window] (ignored when `mode` is `off`). Lets `evaluateCheck`
 * take both from its single fused pass; `thresholdVerdict` is the straightforward equivalent.
 */
export function thresholdFromMeans(judged: RangeMean, history: RangeMean, p: ThresholdParams): Verdict {
  const rule = p.mode === 'off' ? 'static' : p.mode;
  if (judged.count === 0) return { kind: 'inconclusive', rule, reason: 'no samples in the judged window' };
  const level = levelOf(history, p);
  if (level.kind === 'none') return { kind: 'inconclusive', rule, reason: level.reason, value: judged.mean };
  const down = p.direction === 'down';
  const breach = down ? judged.mean < level.level : judged.mean > level.level;
  const value = judged.mean;
  const cmp = down ? 'below' : 'above';
  // Numbers spelled out rather than spread (cheaper; same keys in the same order).
  if (breach) return { kind: 'breach', rule, reason: `average ${fmt(value)} ${cmp} ${level.what} ${fmt(level.level)}`, value, mean: level.average, threshold: level.level };
  return { kind: 'pass', rule, reason: `average ${fmt(value)} not ${cmp} ${level.what} ${fmt(level.level)}`, value, mean: level.average, threshold: level.level };
}

type Level = { kind: 'level'; level: number; average?: number; what: string } | { kind: 'none'; reason: string };

/** The level in force, or why there is none. */
function levelOf(today: RangeMean, p: ThresholdParams): Level {
  if (p.mode === 'off') {
    if (p.static === undefined) return { kind: 'none', reason: 'no static threshold configured' };
    return { kind: 'level', level: p.static, what: 'static threshold' };
  }
  if (today.count < p.minSamples) {
    return { kind: 'none', reason: `history has ${today.count} samples, need ${p.minSamples}` };
  }
  let average = today.mean;
  if (p.mode === 'seasonal') {
    let sum = today.mean;
    let periods = 1;
    for (const past of [p.seasonal?.dayAgo, p.seasonal?.weekAgo]) {
      if (!past) continue;
      // Why: all samples given for a past period are its window (the caller fetched that range).
      const st = periodMean(past.values, past.timestamps.length);
      if (st.count > 0) {
        sum += st.mean;
        periods++;
      }
    }
    average = sum / periods;
  }
  if (p.static === undefined) return { kind: 'level', level: average, average, what: `${p.mode} average` };
  const down = p.direction === 'down';
  const level = down ? Math.min(p.static, average) : Math.max(p.static, average);
  return { kind: 'level', level, average, what: `${p.mode} threshold` };
}
