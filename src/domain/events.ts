import type { Verdict } from '../detect/verdict.js';

export type Severity = 'white' | 'blue' | 'red' | 'siren' | 'fire';
export const SEVERITY_ORDER: readonly Severity[] = ['white', 'blue', 'red', 'siren', 'fire'];

/** How sure the bot is that the deploy caused the event. */
export type Confidence = 'low' | 'medium' | 'high';

export type Labels = Record<string, string>;

/** One detector breach on one series of one check. */
export interface Signal {
  check: string;
  labels: Labels;
  inScope: boolean;
  at: number;
  verdict: Verdict;
  /** Rendered Grafana / log-search links for this check and series. */
  links?: { graph?: string; logs?: string };
  /** When this series first breached in this event (`at` is the latest breach). */
  firstAt?: number;
  /**
   * The same check's reference series at `at` (out of scope and not running the deploying build):
   * how many gave a conclusive verdict and how many of those breached the same rule. Drives confidence.
   */
  reference?: { series: number; breaching: number; thin?: boolean };
  /**
   * Threshold signals: whether the series stood within the threshold in force just before the deploy
   * (the average of its 2 minutes before it). Undefined when those points were not at hand.
   */
  clearBefore?: boolean;
}

/** Signals from one deploy grouped over time, with severity and confidence. */
export interface DeployEvent {
  id: string;
  buildId: string;
  stage: string;
  environment: string;
  status: 'open' | 'closed';
  severity: Severity;
  confidence: Confidence;
  openedAt: number;
  updatedAt: number;
  closedAt?: number;
  signals: Signal[];
  /** Human-readable summary of why it has this severity and confidence. */
  summary: string;
  /** What the bot did or (in shadow mode) would have done. */
  action?: 'none' | 'hold' | 'stop' | 'rollback' | 'offer_rollback' | 'page';
  acknowledgedBy?: string;
  /** Increases whenever severity, confidence, the set of breaching series, action or status changes (stable notification keys). */
  revision?: number;
  /** When the deploy reached the stage (the start of what the event judges). */
  deployAt?: number;
  /** Whether the anomaly magnitude is large (max |z| at least twice the threshold) when severity was last set. */
  large?: boolean;
  /**
   * The confidence of the newest signals (`confidence` is what people were told: at equal severity
   * it does not move between high and medium from tick to tick). The escalation of a long hold
   * judges with this one. Absent on events stored before it existed.
   */
  currentConfidence?: Confidence;
  /** Set when the policy escalated the event because its build stayed held past its bake (`policy.escalateAfter`). */
  escalated?: {
    at: number;
    heldForMs: number;
    action: 'rollback' | 'offer_rollback';
    /** The deploy's own breach a rollback was taken on ("request_rate: still 0.80x its level before the deploy ..."). */
    evidence?: string;
  };
}
