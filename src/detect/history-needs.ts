import type { DetectorConfig } from '../config/schema.js';

/** What history a detector needs to judge one moment, so the fetch path can get exactly that. */
export interface HistoryNeeds {
  /** Milliseconds of raw samples, ending at the judged moment, the detector must be given. */
  rawMs: number;
  /**
   * True when the detector reads its baseline only through mean, standard deviation and count, so
   * these may be computed by the metrics server (push-down) and only the judged window fetched raw.
   */
  baselineStatsSuffice: boolean;
}

/**
 * The history each detector type needs. `zscore` uses its baseline only as mean, population std
 * and count (CheckInput.baseline may carry them instead of samples). The `default` detector
 * replays its streaming state over every baseline sample, so it needs the raw baseline plus the
 * window (defaultVerdict; at least DEFAULT_DETECTOR_HISTORY.warmupSamples samples before the
 * window, else inconclusive); change this together with that function.
 */
export function historyNeeds(d: DetectorConfig): HistoryNeeds {
  const window = d.window * 1000;
  switch (d.type) {
    case 'zscore':
      return { rawMs: d.baseline * 1000 + window, baselineStatsSuffice: true };
    case 'default':
      return { rawMs: d.baseline * 1000 + window, baselineStatsSuffice: false };
  }
}
