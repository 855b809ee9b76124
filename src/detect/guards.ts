import type { DetectorConfig } from '../config/schema.js';

/** Guards that real data needs, resolved from a detector config with documented defaults. */
export interface Guards {
  /** Minimum finite samples in the baseline before any verdict other than `inconclusive`. */
  minSamples: number;
  /** Absolute floor on the baseline standard deviation. */
  minStd: number;
  /** Floor on the standard deviation relative to the baseline level: sigma >= minRelativeStd * |mean|. */
  minRelativeStd: number;
  /** Below this level (baseline mean and judged values) there is "no traffic": `inconclusive`. */
  minVolume: number;
}

/** Default guards: 20 samples, no absolute floor, 1% of the level, no volume floor. */
export const DEFAULT_GUARDS: Guards = { minSamples: 20, minStd: 0, minRelativeStd: 0.01, minVolume: 0 };

/** Resolves the guard fields of a detector config (unset fields take the defaults). */
export function resolveGuards(d: Partial<DetectorConfig>): Guards {
  return {
    minSamples: d.minSamples ?? DEFAULT_GUARDS.minSamples,
    minStd: d.minStd ?? DEFAULT_GUARDS.minStd,
    minRelativeStd: d.minRelativeStd ?? DEFAULT_GUARDS.minRelativeStd,
    minVolume: d.minVolume ?? DEFAULT_GUARDS.minVolume,
  };
}

/** The standard deviation actually used: the measured one, floored absolutely and relative to the level. */
export function flooredStd(std: number, mean: number, g: Guards): number {
  return Math.max(std, g.minStd, g.minRelativeStd * Math.abs(mean));
}

/**
 * z of `value` against (mean, sigma). A zero sigma (constant baseline at level 0 with no floor)
 * gives 0 for an equal value and +-Infinity otherwise: any change of a perfectly constant series is news.
 */
export function zOf(value: number, mean: number, sigma: number): number {
  const d = value - mean;
  if (sigma > 0) return d / sigma;
  return d === 0 ? 0 : d > 0 ? Infinity : -Infinity;
}

/** z signed so that "bad" is positive for the direction (for `both`, the magnitude). */
export function directedZ(z: number, direction: 'up' | 'down' | 'both'): number {
  return direction === 'up' ? z : direction === 'down' ? -z : Math.abs(z);
}
