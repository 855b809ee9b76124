import type { Direction, Verdict } from './verdict.js';
import type { DetectorConfig } from '../config/schema.js';
import type { SeasonalPast, ThresholdMargin } from './threshold.js';
import type { DefaultDetectorState } from './default-state.js';

/** Samples of one series: parallel arrays, times in ms, ascending. NaN marks a missing value. */
export interface Samples {
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Everything needed to judge one series of one check at time `now`. Pure data, no I/O. */
export interface CheckInput {
  /** Samples covering at least [now - baseline - window, now]. */
  samples: Samples;
  now: number;
  direction: Direction;
  detector: DetectorConfig;
  /** Static threshold level, if configured. */
  static?: number;
  dynamic: 'off' | 'dynamic' | 'seasonal';
  /** Seconds of history the dynamic threshold averages over (default 6 h). */
  dynamicWindowSeconds: number;
  /**
   * Baseline statistics computed elsewhere (pushed down to the metrics server): when set, the
   * z-score rule uses them instead of the samples before the window, which then need not be given.
   * Same definition as from samples: finite values with now-window-baseline < t <= now-window,
   * population standard deviation. Ignored by the default detector (src/detect/history-needs.ts).
   */
  baseline?: { mean: number; std: number; count: number };
  /**
   * For seasonal thresholds: the same history window one day and seven days earlier, and optionally
   * the judged window then (timestamps as they were).
   */
  seasonal?: SeasonalPast;
  /** Margin beyond the dynamic/seasonal level before a breach (default `DEFAULT_MARGIN`). */
  margin?: ThresholdMargin;
  /**
   * The default detector's state for this series, kept across ticks by the caller: only the
   * samples it has not seen are fed (default-state.ts). Without it the detector replays the
   * samples from now-window-baseline on. Ignored by the z-score rule.
   */
  detectorState?: DefaultDetectorState;
}

/** The verdicts for one series: the anomaly rule and (when configured) the threshold rule. */
export interface CheckResult {
  /** z-score (seed rule) or default-detector verdict. */
  anomaly: Verdict;
  /** Static / dynamic / seasonal threshold verdict, when a static threshold or dynamic mode is set. */
  threshold?: Verdict;
}
