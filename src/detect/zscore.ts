import type { Direction, Verdict } from './verdict.js';
import type { Samples } from './check.js';
import { indexRange, statsOf } from './series-stats.js';
import { directedZ, flooredStd, zOf, type Guards } from './guards.js';

/** Parameters of the seed z-score rule (times in ms). */
export interface ZScoreParams {
  baselineMs: number;
  windowMs: number;
  threshold: number;
  direction: Direction;
  guards: Guards;
}

/**
 * The seed rule: mean and standard deviation over the baseline (now-window-baseline, now-window],
 * excluding the judged points; each point of (now-window, now] judged; breach at |z| >= threshold
 * in the configured direction. The verdict reports the most extreme judged point.
 */
export function zscoreVerdict(s: Samples, now: number, p: ZScoreParams): Verdict {
  const [b0, b1] = indexRange(s, now - p.windowMs - p.baselineMs, now - p.windowMs);
  const [w0, w1] = indexRange(s, now - p.windowMs, now);
  const base = statsOf(s.values, b0, b1);
  return judgeWindow(s.values, w0, w1, base.mean, base.std, base.count, p, 'zscore');
}

/** Judges values[w0, w1) against a baseline; shared by the seed rule and the default detector's fallback. */
export function judgeWindow(
  values: ArrayLike<number>,
  w0: number,
  w1: number,
  mean: number,
  std: number,
  count: number,
  p: Omit<ZScoreParams, 'baselineMs' | 'windowMs'>,
  rule: 'zscore' | 'default',
): Verdict {
  const g = p.guards;
  if (count < g.minSamples) {
    return { kind: 'inconclusive', rule, reason: `baseline has ${count} samples, need ${g.minSamples}`, threshold: p.threshold };
  }
  const sigma = flooredStd(std, mean, g);
  let worst = -Infinity;
  let worstValue = NaN;
  let judged = 0;
  let maxAbs = 0;
  for (let i = w0; i < w1; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    judged++;
    if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
    const dz = directedZ(zOf(v, mean, sigma), p.direction);
    if (dz > worst) {
      worst = dz;
      worstValue = v;
    }
  }
  // Why the numbers are spelled out in each literal (not spread from one object): spreads cost a
  // visible share of evaluating 10,000 series; the key order stays that of the former spread.
  const threshold = p.threshold;
  if (judged === 0) return { kind: 'inconclusive', rule, reason: 'no samples in the judged window', mean, std: sigma, threshold };
  // Why: near-zero traffic makes every blip look huge relative to a near-zero baseline.
  if (Math.abs(mean) < g.minVolume && maxAbs < g.minVolume) {
    return { kind: 'inconclusive', rule, reason: `volume below minimum ${g.minVolume}`, value: worstValue, mean, std: sigma, threshold };
  }
  const z = zOf(worstValue, mean, sigma);
  const score = scoreFromZ(worst, threshold);
  if (worst >= threshold) {
    return { kind: 'breach', rule, reason: `z=${fmt(z)} beyond ${threshold} (${p.direction})`, value: worstValue, z, score, mean, std: sigma, threshold };
  }
  return { kind: 'pass', rule, reason: `max z=${fmt(z)}${withinWords(threshold, p.direction)}`, value: worstValue, z, score, mean, std: sigma, threshold };
}

/** The last pass reason's tail (one entry: a check's series share threshold and direction). */
let withinFor = { threshold: NaN, direction: '' };
let withinText = '';

/**
 * " within <threshold> (<direction>)". Why kept: most verdicts are passes, and joining these four
 * pieces anew for each was a visible share of evaluating 10,000 series.
 */
function withinWords(threshold: number, direction: Direction): string {
  if (threshold !== withinFor.threshold || direction !== withinFor.direction) {
    withinFor = { threshold, direction };
    withinText = ` within ${threshold} (${direction})`;
  }
  return withinText;
}

/** Maps a directed z to [0, 1]: 0.5 at the threshold, saturating above. */
export function scoreFromZ(dz: number, threshold: number): number {
  if (!(dz > 0)) return 0;
  if (!Number.isFinite(dz)) return 1;
  const r = dz / threshold;
  return r / (1 + r);
}

/** Short number formatting for reasons: 3 significant digits outside [0.01, 1000), else 2 decimals. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 || Math.abs(x) < 0.01 ? x.toPrecision(3) : fixedText(x, 2);
}

/**
 * `x.toFixed(digits)` (0 to 2 digits), by integer arithmetic for |x| < 1000. Why: every verdict
 * carries a reason, and `toFixed` was a visible share of evaluating 10,000 series. |x| * 10^digits
 * is off from the exact product by far less than 1e-6 here, so rounding it agrees with toFixed's
 * exact decimal rounding except next to a tie (half a unit of the last digit), which is left to
 * toFixed itself, as are larger magnitudes and non-finite values.
 */
export function fixedText(x: number, digits: 0 | 1 | 2): string {
  const a = Math.abs(x);
  if (!(a < 1000)) return x.toFixed(digits);
  const unit = digits === 0 ? 1 : digits === 1 ? 10 : 100;
  const s = a * unit;
  if (Math.abs(s - Math.floor(s) - 0.5) < 1e-6) return x.toFixed(digits);
  const r = Math.round(s);
  if (digits === 0) return x < 0 ? `-${r}` : `${r}`;
  const frac = r % unit;
  // Why a table for the decimals: one concatenation per number instead of four.
  const tail = digits === 1 ? TENTHS[frac] : HUNDREDTHS[frac];
  return x < 0 ? `-${(r - frac) / unit}${tail}` : `${(r - frac) / unit}${tail}`;
}

const TENTHS = Array.from({ length: 10 }, (_, i) => `.${i}`);
const HUNDREDTHS = Array.from({ length: 100 }, (_, i) => `.${i < 10 ? '0' : ''}${i}`);
