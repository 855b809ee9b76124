import type { Labels } from '../domain/events.js';
import { GridWindow, labelKey } from './grid-window.js';
import { LabelIntern } from './label-intern.js';
import { RollingBaseline, type BaselineShape } from './rolling-baseline.js';
import type { BaselineStats } from './pushdown-baseline.js';
import type { MetricsSource, Series } from './source.js';

export { labelKey } from './grid-window.js';

/** A source that can hand over a range query's series one at a time as it reads them (PrometheusSource). */
export interface StreamingRangeSource {
  queryRangeStream(
    query: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    sink: (labels: Labels, timestamps: Float64Array, values: Float64Array) => void,
    restart?: () => void,
    labels?: LabelIntern,
  ): Promise<unknown>;
}

export interface WindowCacheOptions {
  source: MetricsSource | (MetricsSource & StreamingRangeSource);
  /** Resolution of the windows (the range-query step), e.g. 15 s. */
  stepMs: number;
  /**
   * How far back each incremental fetch reaches into samples already held, replacing them.
   * Scrapes land late: a point evaluated at t just after t may still miss its sample, so the
   * last minute is re-read. Default 60 s.
   */
  overlapMs?: number;
  /** A first fill is split into range queries of at most this long. Default 30 min. */
  fillChunkMs?: number;
  /** At most this many of those queries run at once (per window being filled). Default 3. */
  fillConcurrency?: number;
}

/** One rolling window: `windowMs` of samples ending at `nowMs - offsetMs` (offset for seasonal windows). */
export interface WindowRequest {
  query: string;
  nowMs: number;
  windowMs: number;
  offsetMs?: number;
}

/** A z-score check's window: its judged window plus the baseline before it (`WindowCache.getJudged`). */
export interface JudgedRequest extends BaselineShape {
  query: string;
  nowMs: number;
  offsetMs?: number;
}

/** The window's samples and each series' baseline statistics (keyed by the series' `labels` object). */
export interface JudgedWindow {
  series: Series[];
  baselines: Map<Labels, BaselineStats>;
}

/** Counters for measuring what the cache saves and holds. */
export interface WindowCacheStats {
  fullFetches: number;
  incrementalFetches: number;
  samplesFetched: number;
}

/** What the cache holds for one query (all its offsets). */
export interface HeldFigures {
  series: number;
  samples: number;
  bytes: number;
}

interface Entry {
  query: string;
  windowMs: number;
  grid: GridWindow;
  /** Baseline statistics kept for z-score checks of this query, by shape. */
  rolling: Map<string, RollingBaseline>;
}

/**
 * Rolling in-memory windows per (query, offset), in compact typed arrays (GridWindow: 8 bytes per
 * sample, no per-sample objects), sized by the longest window asked of that query: a shorter
 * window of the same query is a view of the same buffers. The first request (and the first after
 * a restart, a gap longer than the window, or a longer window) fills the whole window with range
 * queries split by time and run a few at a time, each answer streamed into the buffers as it is
 * read; later requests fetch only the samples since the last one (plus a short overlap). All times
 * sit on a `stepMs` grid so every fetch evaluates at the same instants as the ones before. Series
 * that stop appearing keep their old samples until these leave the window.
 *
 * The series returned are read-only views of the cache's buffers, valid until the next request
 * for the same query: judge them, do not keep them (copy what must outlive the tick).
 */
export class WindowCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly step: number;
  private readonly overlap: number;
  /** Label sets the streaming source parsed before (by their raw text), and the key of each. */
  private readonly labelIntern = new LabelIntern();
  private readonly keys = new WeakMap<Labels, string>();
  readonly stats: WindowCacheStats = { fullFetches: 0, incrementalFetches: 0, samplesFetched: 0 };

  constructor(private readonly opts: WindowCacheOptions) {
    if (!(opts.stepMs > 0)) throw new Error(`WindowCache: stepMs must be > 0, got ${opts.stepMs}`);
    this.step = opts.stepMs;
    this.overlap = Math.ceil((opts.overlapMs ?? 60_000) / this.step) * this.step;
  }

  /** Series covering [end - windowMs, end] with end = nowMs - offsetMs rounded down to the step grid. */
  async get(req: WindowRequest): Promise<Series[]> {
    return this.serialized(keyOf(req), async () => {
      const { grid, start, end } = await this.update(req, false);
      return grid.view(start, end);
    });
  }

  /**
   * For a z-score check: the window (baseline + judged window, as `get` returns it) plus each
   * series' baseline statistics kept incrementally from the held samples (RollingBaseline), so the
   * detector reads only the judged window's samples. Why the whole span is still handed out: a
   * series that reported in the baseline but not since must stay visible (no data, went dark).
   * `fresh`: refill from the backend first (as `fetchThrough`).
   */
  async getJudged(req: JudgedRequest, fresh = false): Promise<JudgedWindow> {
    const win: WindowRequest = { query: req.query, nowMs: req.nowMs, windowMs: req.baselineMs + req.windowMs, offsetMs: req.offsetMs };
    return this.serialized(keyOf(win), async () => {
      const shape = `${req.baselineMs}/${req.windowMs}`;
      const { entry, grid, start, end } = await this.update(win, fresh, shape, { baselineMs: req.baselineMs, windowMs: req.windowMs });
      const rolling = entry.rolling.get(shape)!;
      const baselines = new Map<Labels, BaselineStats>();
      const series = grid.view(start, end, (row, s) => baselines.set(s.labels, rolling.stats(row)));
      return { series, baselines };
    });
  }

  /**
   * Fetch through now: refills the whole window from the backend, whatever is held, and returns
   * it. For decisions that must rest on what the backend says at this moment (a promotion gate
   * after a bake), not on samples read earlier that may since have been corrected.
   */
  async fetchThrough(req: WindowRequest): Promise<Series[]> {
    return this.serialized(keyOf(req), async () => {
      const { grid, start, end } = await this.update(req, true);
      return grid.view(start, end);
    });
  }

  /** Forget every window of `query` (all offsets). */
  drop(query: string): void {
    for (const [key, e] of this.entries) if (e.query === query) this.entries.delete(key);
  }

  /** Forget everything (the next request of every window refills it). */
  clear(): void {
    this.entries.clear();
  }

  /** What is held, per query (all offsets of the query summed). */
  held(): Map<string, HeldFigures> {
    const out = new Map<string, HeldFigures>();
    for (const e of this.entries.values()) {
      const f = out.get(e.query) ?? { series: 0, samples: 0, bytes: 0 };
      f.series += e.grid.seriesCount;
      f.samples += e.grid.slotsHeld;
      f.bytes += e.grid.bytes;
      out.set(e.query, f);
    }
    return out;
  }

  /** Why: two checks on one query ask for it in the same tick; the second waits for the first's fetch instead of repeating it. */
  private async serialized<T>(key: string, run: () => Promise<T>): Promise<T> {
    while (this.pending.has(key)) await this.pending.get(key)!.catch(() => {});
    const p = run();
    this.pending.set(key, p);
    try {
      return await p;
    } finally {
      this.pending.delete(key);
    }
  }

  /** Brings the entry of `req` to `req.nowMs` (fill or incremental fetch); `shape` also keeps that baseline's statistics rolling. */
  private async update(req: WindowRequest, force: boolean, shapeKey?: string, shape?: BaselineShape): Promise<{ entry: Entry; grid: GridWindow; start: number; end: number }> {
    const now = req.nowMs - (req.offsetMs ?? 0);
    const end = Math.floor(now / this.step) * this.step;
    const start = Math.ceil((end - req.windowMs) / this.step) * this.step;
    const key = keyOf(req);
    let entry = this.entries.get(key);
    if (force || !entry || req.windowMs > entry.windowMs || !(entry.grid.endT >= start) || end < entry.grid.endT) {
      // Nothing usable held (first use, restart, a gap longer than the window, a longer window, time went back): refill.
      const windowMs = Math.max(req.windowMs, entry?.windowMs ?? 0);
      this.entries.delete(key);
      entry = { query: req.query, windowMs, grid: new GridWindow(this.step, Math.floor(windowMs / this.step) + 1), rolling: entry?.rolling ?? new Map() };
      for (const r of entry.rolling.values()) r.reset();
      await this.fill(entry, Math.ceil((end - windowMs) / this.step) * this.step, end);
      this.entries.set(key, entry);
    } else if (end > entry.grid.endT) {
      const from = Math.max(start, entry.grid.endT + this.step - this.overlap);
      const grid = entry.grid;
      for (const r of entry.rolling.values()) r.roll(grid, now, from);
      grid.advance(Math.ceil((end - entry.windowMs) / this.step) * this.step, end);
      this.stats.incrementalFetches++;
      try {
        await this.stream(req.query, from, end, (k, labels, ts, vs) => grid.write(k, labels, ts, vs, from));
      } catch (err) {
        // The grid already spans the new slots: keeping it would leave them empty for good. Refill next time.
        this.entries.delete(key);
        throw err;
      }
    }
    if (shapeKey && shape && !entry.rolling.has(shapeKey)) entry.rolling.set(shapeKey, new RollingBaseline(shape, this.step));
    for (const r of entry.rolling.values()) r.settle(entry.grid, now);
    return { entry, grid: entry.grid, start, end };
  }

  /** First fill: range queries of at most `fillChunkMs`, at most `fillConcurrency` at once, streamed into the grid. */
  private async fill(entry: Entry, start: number, end: number): Promise<void> {
    entry.grid.advance(start, end);
    this.stats.fullFetches++;
    const chunk = Math.max(this.step, Math.floor((this.opts.fillChunkMs ?? 1_800_000) / this.step) * this.step);
    const pieces: Array<[number, number]> = [];
    for (let from = start; from <= end; from += chunk) pieces.push([from, Math.min(end, from + chunk - this.step)]);
    let next = 0;
    const worker = async () => {
      while (next < pieces.length) {
        const [from, to] = pieces[next++];
        await this.stream(entry.query, from, to, (k, labels, ts, vs) => entry.grid.write(k, labels, ts, vs));
      }
    };
    await Promise.all(Array.from({ length: Math.min(pieces.length, Math.max(1, this.opts.fillConcurrency ?? 3)) }, worker));
  }

  /** One range query whose series go to `write` one by one (streamed when the source can). */
  private async stream(query: string, from: number, to: number, write: (key: string, labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>) => void): Promise<void> {
    const sink = (labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>) => {
      this.stats.samplesFetched += vs.length;
      let key = this.keys.get(labels);
      if (key === undefined) {
        key = labelKey(labels);
        this.keys.set(labels, key);
      }
      write(key, labels, ts, vs);
    };
    const src = this.opts.source as Partial<StreamingRangeSource> & MetricsSource;
    if (typeof src.queryRangeStream === 'function') {
      // Why bounded by what is held: series come and go (pods); label sets of series long gone are let go.
      let held = 0;
      for (const e of this.entries.values()) held += e.grid.seriesCount;
      if (this.labelIntern.size > 2 * held + 10_000) this.labelIntern.clear();
      await src.queryRangeStream(query, from, to, this.step, sink, undefined, this.labelIntern);
      return;
    }
    for (const s of await src.queryRange(query, from, to, this.step)) sink(s.labels, s.timestamps, s.values);
  }
}

function keyOf(req: WindowRequest): string {
  return `${req.query}\u0000${req.offsetMs ?? 0}`;
}
