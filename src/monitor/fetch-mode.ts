import type { CheckConfig } from '../config/schema.js';
import type { MetricsSource } from '../metrics/source.js';
import { canPushDown, type FetchMode } from './fetch.js';

/** `monitor.fetchMode` and `monitor.pushdownAtSeries` (docs/configuration.md). */
export interface FetchModeSettings {
  mode: 'auto' | FetchMode;
  /** In `auto`, checks with at least this many series are fetched in push-down mode. */
  pushdownAtSeries: number;
}

/** How often `auto` asks the backend again how many series a check has. */
export const MODE_RECHECK_MS = 3_600_000;

/**
 * Chooses each check's fetch mode. Checks whose detector needs raw history (the default
 * detector, dynamic thresholds; `canPushDown`) are always raw. Otherwise `raw` and `pushdown` are
 * taken as set; `auto` counts the check's series with one instant query (`count(query)`) before
 * the first fetch and hourly after, and pushes the baseline down from `pushdownAtSeries` on: raw
 * mode keeps ticks fastest (the baseline slides locally over held samples), push-down keeps memory
 * and cold start small (no baseline samples held or transferred) at the cost of three subqueries
 * the metrics server evaluates every tick (docs/performance.md has the figures).
 */
export class FetchModePlanner {
  private readonly decided = new Map<string, { mode: FetchMode; at: number; series?: number }>();

  constructor(
    private readonly settings: FetchModeSettings,
    private readonly source: Pick<MetricsSource, 'query'>,
  ) {}

  /** The mode for `check` at `now` (may ask the backend for the series count). Never throws. */
  async modeFor(check: CheckConfig, now: number): Promise<FetchMode> {
    if (!canPushDown(check)) return 'raw';
    if (this.settings.mode !== 'auto') return this.settings.mode;
    const prev = this.decided.get(check.name);
    if (prev && now - prev.at < MODE_RECHECK_MS) return prev.mode;
    let series: number | undefined;
    try {
      const r = await this.source.query(`count(${check.query})`, now);
      series = r[0]?.value ?? 0;
    } catch {
      // A backend that cannot count (or is down) keeps the last choice; raw is the safe default.
    }
    const mode: FetchMode = series === undefined ? (prev?.mode ?? 'raw') : series >= this.settings.pushdownAtSeries ? 'pushdown' : 'raw';
    this.decided.set(check.name, { mode, at: now, series });
    return mode;
  }
}
