import type { Labels } from '../domain/events.js';
import type { MetricsSource, Series } from './source.js';

export interface WindowCacheOptions {
  source: MetricsSource;
  /** Resolution of the windows (the range-query step), e.g. 15 s. */
  stepMs: number;
  /**
   * How far back each incremental fetch reaches into samples already held, replacing them.
   * Scrapes land late: a point evaluated at t just after t may still miss its sample, so the
   * last minute is re-read. Default 60 s.
   */
  overlapMs?: number;
}

/** One rolling window: `windowMs` of samples ending at `nowMs - offsetMs` (offset for seasonal windows). */
export interface WindowRequest {
  query: string;
  nowMs: number;
  windowMs: number;
  offsetMs?: number;
}

/** Counters for measuring what the cache saves. */
export interface WindowCacheStats {
  fullFetches: number;
  incrementalFetches: number;
  samplesFetched: number;
}

interface Entry {
  /** Last grid time fetched (inclusive). */
  end: number;
  series: Map<string, Series>;
}

/**
 * Rolling in-memory windows per (query, window, offset) and per result series. The first
 * request (and the first after a restart, or after a gap longer than the window) fetches the
 * whole window; later ones fetch only the samples since the last one (plus a short overlap)
 * and trim what fell out of the window. All times sit on a `stepMs` grid so every fetch
 * evaluates at the same instants as the ones before. Series that stop appearing keep their
 * old samples until these leave the window.
 */
export class WindowCache {
  private readonly entries = new Map<string, Entry>();
  private readonly step: number;
  private readonly overlap: number;
  readonly stats: WindowCacheStats = { fullFetches: 0, incrementalFetches: 0, samplesFetched: 0 };

  constructor(private readonly opts: WindowCacheOptions) {
    if (!(opts.stepMs > 0)) throw new Error(`WindowCache: stepMs must be > 0, got ${opts.stepMs}`);
    this.step = opts.stepMs;
    this.overlap = Math.ceil((opts.overlapMs ?? 60_000) / this.step) * this.step;
  }

  /** Series covering [end - windowMs, end] with end = nowMs - offsetMs rounded down to the step grid. */
  async get(req: WindowRequest): Promise<Series[]> {
    const end = Math.floor((req.nowMs - (req.offsetMs ?? 0)) / this.step) * this.step;
    const start = Math.ceil((end - req.windowMs) / this.step) * this.step;
    const key = `${req.query}\u0000${req.windowMs}\u0000${req.offsetMs ?? 0}`;
    let entry = this.entries.get(key);
    if (!entry || entry.end < start || end < entry.end) {
      // Nothing usable held (first use, restart, a gap longer than the window, or time went back): refill.
      const fresh = await this.opts.source.queryRange(req.query, start, end, this.step);
      this.stats.fullFetches++;
      this.count(fresh);
      entry = { end, series: new Map(fresh.map((s) => [labelKey(s.labels), copy(s)])) };
      this.entries.set(key, entry);
    } else if (end > entry.end) {
      const from = Math.max(start, entry.end + this.step - this.overlap);
      const fresh = await this.opts.source.queryRange(req.query, from, end, this.step);
      this.stats.incrementalFetches++;
      this.count(fresh);
      for (const s of fresh) merge(entry.series, s, from);
      entry.end = end;
    }
    trim(entry.series, start);
    return [...entry.series.values()].map(copy);
  }

  /** Forget everything (the next request of every window refills it). */
  clear(): void {
    this.entries.clear();
  }

  private count(series: Series[]): void {
    for (const s of series) this.stats.samplesFetched += s.values.length;
  }
}

function merge(held: Map<string, Series>, fresh: Series, from: number): void {
  const key = labelKey(fresh.labels);
  const old = held.get(key);
  if (!old) {
    held.set(key, copy(fresh));
    return;
  }
  // The overlap re-read replaces what was held from `from` on.
  let keep = old.timestamps.length;
  while (keep > 0 && old.timestamps[keep - 1] >= from) keep--;
  old.timestamps.length = keep;
  old.values.length = keep;
  old.timestamps.push(...fresh.timestamps);
  old.values.push(...fresh.values);
}

function trim(held: Map<string, Series>, start: number): void {
  for (const [key, s] of held) {
    let drop = 0;
    while (drop < s.timestamps.length && s.timestamps[drop] < start) drop++;
    if (drop === s.timestamps.length) held.delete(key);
    else if (drop > 0) {
      s.timestamps.splice(0, drop);
      s.values.splice(0, drop);
    }
  }
}

function copy(s: Series): Series {
  return { labels: { ...s.labels }, timestamps: s.timestamps.slice(), values: s.values.slice() };
}

/** Stable identity of a label set, independent of key order. */
export function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}
