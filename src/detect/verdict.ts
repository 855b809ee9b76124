/**
 * The outcome of judging one series: four outcomes, not two (as Argo Rollouts has it).
 * `inconclusive` (too few samples, no traffic, no data) and `error` are never "healthy".
 */
export type VerdictKind = 'pass' | 'breach' | 'inconclusive' | 'error';

/**
 * Which rule produced a verdict. `zscore` and `default` are anomaly rules; `dark` (the deploy's
 * series stopped reporting while others still do, monitor/dark.ts) counts as one; the rest are thresholds.
 */
export type RuleKind = 'zscore' | 'static' | 'dynamic' | 'seasonal' | 'default' | 'dark';

export type Direction = 'up' | 'down' | 'both';

export interface Verdict {
  kind: VerdictKind;
  rule: RuleKind;
  reason: string;
  /** The value judged (the most extreme point of the judged window). */
  value?: number;
  /** Baseline mean and standard deviation the value was judged against. */
  mean?: number;
  std?: number;
  z?: number;
  /** Threshold in force (a z threshold for zscore rules, a level for threshold rules). */
  threshold?: number;
  /** Anomaly score in [0, 1] where the rule produces one. */
  score?: number;
  /**
   * The default detector alarmed in the judged window (the point is unusual for this series),
   * whether or not it reached the minimum effect that makes a breach. Lets a caller ask "was this
   * series doing something unusual then?" (a seasonal repeat) more loosely than "is this a breach?".
   */
  unusual?: boolean;
}
