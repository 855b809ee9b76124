import type { CheckConfig } from '../config/schema.js';
import type { MetricsSource, Series } from '../metrics/source.js';
import type { JudgedRequest, JudgedWindow, WindowRequest } from '../metrics/window-cache.js';
import { asReleasebotError, type ReleasebotError } from '../domain/errors.js';
import { historyNeeds } from '../detect/history-needs.js';
import { baselineKey, fetchBaselines, type BaselineIndex, type BaselineStats } from '../metrics/pushdown-baseline.js';
import type { Labels } from '../domain/events.js';

/** Anything that answers range queries (a MetricsSource). */
export interface RangeFetcher {
  queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<Series[]>;
}

/** Rolling windows of a query: the WindowCache (src/metrics/window-cache.ts), or a plain fetch each time. */
export interface WindowFetcher {
  get(req: WindowRequest): Promise<Series[]>;
  /** The window as the backend answers it now, not from memory (WindowCache); absent: `get` always asks the backend. */
  fetchThrough?(req: WindowRequest): Promise<Series[]>;
  /** A z-score check's window with baseline statistics kept from held samples (WindowCache). */
  getJudged?(req: JudgedRequest, fresh?: boolean): Promise<JudgedWindow>;
}

/** A WindowFetcher without memory: every call is one range query on the step grid (the CLI, one-off ticks). */
export function directFetcher(source: RangeFetcher, stepMs: number): WindowFetcher {
  return {
    get(req) {
      const end = alignDown(req.nowMs - (req.offsetMs ?? 0), stepMs);
      const start = Math.ceil((end - req.windowMs) / stepMs) * stepMs;
      return source.queryRange(req.query, start, end, stepMs);
    },
  };
}

export const DAY_MS = 86_400_000;
/** Default resolution of fetched series: a typical scrape interval. */
export const DEFAULT_STEP_MS = 15_000;

/** The data one check needs at one moment. */
export interface CheckData {
  /** Covers [now - span, now], span = max(baseline + window, dynamic window when dynamic). */
  current: Series[];
  /** The same span one day and seven days earlier. */
  dayAgo?: Series[];
  weekAgo?: Series[];
  /**
   * Push-down mode: each series' baseline statistics, computed by the metrics server; `current`
   * then covers only the judged window. Look up with `baselineOf`.
   */
  baselines?: BaselineIndex;
  /**
   * Raw mode through the window cache, for checks that read their baseline only as statistics
   * (`canPushDown`): each series' baseline kept by the cache from its held samples, keyed by the
   * `labels` object of the series in `current`. The detector then reads only the judged window.
   */
  localBaselines?: Map<Labels, BaselineStats>;
}

/**
 * How a check's history is fetched: `raw` (every sample of the span, through the window cache) or
 * `pushdown` (the baseline's mean, std and count computed by the metrics server, only the judged
 * window raw). Push-down applies only to checks whose detector allows it (`canPushDown`).
 */
export type FetchMode = 'raw' | 'pushdown';

/** The pushed-down baseline of a series, if the data has one. */
export function baselineOf(data: CheckData, labels: Labels): BaselineStats | undefined {
  if (data.localBaselines) return data.localBaselines.get(labels);
  return data.baselines?.get(baselineKey(labels));
}

/** True when the check can be judged from pushed-down baseline statistics (z-score rule, no dynamic threshold). */
export function canPushDown(check: CheckConfig): boolean {
  // Why no dynamic threshold: it averages 6 h of raw samples anyway, so the baseline's would not be saved.
  return historyNeeds(check.detector).baselineStatsSuffice && check.dynamic === 'off';
}

export type CheckFetch = { ok: true; data: CheckData } | { ok: false; error: ReleasebotError };

/** Milliseconds of raw history a check is judged on (what its detector says it needs, src/detect/history-needs.ts). */
export function checkSpanMs(check: CheckConfig): number {
  const d = check.detector;
  const anomaly = historyNeeds(d).rawMs;
  const dynamic = check.dynamic === 'off' ? 0 : (check.dynamicWindow + d.window) * 1000;
  return Math.max(anomaly, dynamic);
}

/** Aligns a range start down to the step grid, so that successive ticks ask for the same points. */
export function alignDown(t: number, stepMs: number): number {
  return Math.floor(t / stepMs) * stepMs;
}

/** Options of `fetchCheck`. */
export interface FetchCheckOptions {
  /** Also fetch the windows a day and a week earlier (always for `dynamic: seasonal`). */
  seasonal?: boolean;
  /** Default `raw`; `pushdown` needs `source` and applies only where `canPushDown`. */
  mode?: FetchMode;
  /** Answers the push-down instant queries. */
  source?: Pick<MetricsSource, 'query'>;
  /** The step grid (default 15 s); push-down evaluates on it. */
  stepMs?: number;
  /** Read the current window from the backend now (`fetchThrough`), e.g. for the promotion gate. */
  fresh?: boolean;
}

/**
 * Fetches one check's series; with `seasonal` (always for `dynamic: seasonal`) also the windows a
 * day and a week earlier; in push-down mode the baselines from the metrics server and only the
 * judged window raw; with `fresh` the current window is read from the backend now. Never throws: a failing backend or a rejected query comes back as
 * `{ ok: false }` so the caller can treat it as no data.
 */
export async function fetchCheck(fetcher: WindowFetcher, check: CheckConfig, now: number, opts: FetchCheckOptions = {}): Promise<CheckFetch> {
  const pushdown = opts.mode === 'pushdown' && opts.source !== undefined && canPushDown(check);
  const windowMs = pushdown ? check.detector.window * 1000 : checkSpanMs(check);
  const range = (offsetMs: number, span = windowMs) => {
    const req = { query: check.query, nowMs: now, windowMs: span, offsetMs };
    // Only the current window must come from the backend now: the past ones (a day, a week ago) do not change.
    return opts.fresh && offsetMs === 0 && fetcher.fetchThrough ? fetcher.fetchThrough(req) : fetcher.get(req);
  };
  try {
    const stepMs = opts.stepMs ?? DEFAULT_STEP_MS;
    const baselines = pushdown
      ? fetchBaselines(opts.source!, { query: check.query, baselineMs: check.detector.baseline * 1000, windowMs, stepMs, atMs: alignDown(now, stepMs) })
      : undefined;
    // Seasonal thresholds average the past windows; anomaly breaches are replayed on them (an
    // anomaly that repeats at the same time a day or a week earlier is the season, judge.ts).
    if (!opts.seasonal && check.dynamic !== 'seasonal') {
      if (!pushdown && fetcher.getJudged && canPushDown(check)) {
        // Raw, but judged like push-down: the cache keeps the baseline statistics, the detector reads only the judged window's samples.
        const req = { query: check.query, nowMs: now, baselineMs: check.detector.baseline * 1000, windowMs: check.detector.window * 1000 };
        const judged = await fetcher.getJudged(req, opts.fresh === true);
        return { ok: true, data: { current: judged.series, localBaselines: judged.baselines } };
      }
      const [current, b] = await Promise.all([range(0), baselines]);
      return { ok: true, data: b ? { current, baselines: b } : { current } };
    }
    const span = checkSpanMs(check);
    const [current, dayAgo, weekAgo, b] = await Promise.all([range(0), range(DAY_MS, span), range(7 * DAY_MS, span), baselines]);
    return { ok: true, data: b ? { current, dayAgo, weekAgo, baselines: b } : { current, dayAgo, weekAgo } };
  } catch (err) {
    return { ok: false, error: asReleasebotError(err) };
  }
}

/** Adds the seasonal windows to data fetched without them (fetched only when a breach needs replaying). */
export async function withSeasonal(fetcher: WindowFetcher, check: CheckConfig, now: number, f: CheckFetch): Promise<CheckFetch> {
  if (!f.ok || f.data.dayAgo) return f;
  const windowMs = checkSpanMs(check);
  try {
    const [dayAgo, weekAgo] = await Promise.all([DAY_MS, 7 * DAY_MS].map((offsetMs) => fetcher.get({ query: check.query, nowMs: now, windowMs, offsetMs })));
    return { ok: true, data: { ...f.data, dayAgo, weekAgo } };
  } catch {
    // Without the past windows the breach simply is not recognised as seasonal (empty, not absent: no retry loop).
    return { ok: true, data: { ...f.data, dayAgo: [], weekAgo: [] } };
  }
}

const keyOfLabels = new WeakMap<Record<string, string>, string>();

/**
 * Canonical text of a label set (sorted), to match series across windows. Remembered per label
 * set object: the window cache hands out the same object for a series tick after tick, and at
 * 10,000 series building the text again each tick cost 10-30 ms of the tick. Label sets are
 * never changed once read (a changed set would keep its old key).
 */
export function labelsKey(labels: Record<string, string>): string {
  let key = keyOfLabels.get(labels);
  if (key === undefined) {
    key = Object.keys(labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(labels[k])}`)
      .join(',');
    keyOfLabels.set(labels, key);
  }
  return key;
}
