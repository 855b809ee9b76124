import type { Labels } from '../domain/events.js';

/** Data for one check's chart on an event page (rendered with uPlot). Times in ms. */
export interface CheckChart {
  check: string;
  series: Array<{ labels: Labels; inScope: boolean; timestamps: number[]; values: number[] }>;
  /** Baseline mean and the threshold-sigma band around it, for the in-scope series. */
  baseline?: { timestamps: number[]; mean: number[]; lower: number[]; upper: number[] };
  staticThreshold?: number;
  dynamicThreshold?: number;
  /** When the deploy reached the scope, and when the breach was detected. */
  deployAt?: number;
  breachAt?: number;
}

/** Builds chart data for an event's checks (implemented by the monitor). */
export interface ChartProvider {
  chartsForEvent(eventId: string): Promise<CheckChart[]>;
}
