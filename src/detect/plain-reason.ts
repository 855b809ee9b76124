import { fixedText, fmt } from './zscore.js';

/** A duration in plain words: "45 s", "3 minutes", "1.5 hours". */
export function plainDuration(seconds: number): string {
  if (!(seconds > 0)) return 'one sample';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} minutes`;
  return `${(seconds / 3600).toFixed(1)} hours`;
}

/**
 * How far `value` is from the usual level, in words a person reads at a glance: "4.1x the usual
 * level" when both are positive (the natural unit for rates, counts and latencies), otherwise the
 * difference ("12 above the usual level"), which also covers levels near zero.
 */
export function plainEffect(value: number, mean: number): string {
  if (value > 0 && mean > 0 && Number.isFinite(value / mean)) {
    const r = value / mean;
    const ratio = r >= 10 ? fixedText(r, 0) : r >= 0.1 ? fixedText(r, r < 1 ? 2 : 1) : r.toPrecision(2);
    return `${ratio}x the usual level`;
  }
  const d = value - mean;
  return `${fmt(Math.abs(d))} ${d >= 0 ? 'above' : 'below'} the usual level`;
}

/** "4.1x the usual level for 3 minutes; usual 0.22 +- 0.05". */
export function plainDeviation(value: number, mean: number, std: number, seconds: number): string {
  return `${plainEffect(value, mean)} for ${plainDuration(seconds)}; usual ${fmt(mean)} +- ${fmt(std)}`;
}
