import type { Labels } from '../domain/events.js';
import type { Series } from './source.js';

/** One series held by a GridWindow: its values on the shared time grid (NaN where it has none). */
export interface GridRow {
  labels: Labels;
  values: Float64Array;
  /** Time of its first and last sample written (ms); a view spans only [first, last]. */
  first: number;
  last: number;
}

/** A row as the grid holds it: `at` is its place in `GridWindow.order`. */
interface HeldRow extends GridRow {
  at: number;
}

/**
 * Bytes held per slot of a series (one float64 value; the times are shared by every series of the
 * window). docs/performance.md derives memory per series from this.
 */
export const BYTES_PER_SLOT = 8;

/**
 * The samples of one query's result series on one time grid (`stepMs` apart), in typed arrays:
 * one shared Float64Array of slot times and one Float64Array of values per series. No object per
 * sample: a slot costs 8 bytes per series. Capacity is the window's slot count plus a quarter as
 * slack; slots that leave the window are dropped by moving the start, and when the slack is used
 * up every buffer is compacted once (copyWithin), so a window is always one contiguous range and
 * can be handed out as zero-copy views (subarray). That is a ring buffer whose wrap-around is
 * paid once every `slack` slots instead of on every read.
 */
export class GridWindow {
  readonly capacity: number;
  private readonly times: Float64Array;
  private head = 0;
  private len = 0;
  private readonly rows = new Map<string, HeldRow>();
  /** Counts additions and removals of series: unchanged means the same series are held (`RollingBaseline.settle`). */
  private changes = 0;
  /** The rows in the order they were added and their keys (rebuilt after a removal), and where the last write was. */
  private order: HeldRow[] = [];
  private orderKeys: string[] = [];
  private orderStale = false;
  private cursor = 0;

  constructor(
    readonly stepMs: number,
    /** Length of the window this grid can hold, in slots. */
    readonly slots: number,
  ) {
    this.capacity = slots + Math.max(16, Math.ceil(slots / 4));
    this.times = new Float64Array(this.capacity);
  }

  /** Time of the last slot (NaN while empty). */
  get endT(): number {
    return this.len > 0 ? this.times[this.head + this.len - 1] : NaN;
  }

  /** Time of the first slot (NaN while empty). */
  get startT(): number {
    return this.len > 0 ? this.times[this.head] : NaN;
  }

  /** Buffer index of the slot at time `t` (on the grid, between startT and endT); valid until the next `advance`. */
  indexOf(t: number): number {
    return this.head + Math.round((t - this.times[this.head]) / this.stepMs);
  }

  /** The series held (read-only: the values buffers are indexed with `indexOf`). */
  rowList(): IterableIterator<GridRow> {
    return this.rows.values();
  }

  /** Series held. */
  get seriesCount(): number {
    return this.rows.size;
  }

  /** A number that changes whenever a series is added or dropped. */
  get membership(): number {
    return this.changes;
  }

  /** Value slots held (series x slots in the window). */
  get slotsHeld(): number {
    return this.rows.size * this.len;
  }

  /** Bytes of the typed arrays (values of every series plus the shared times). */
  get bytes(): number {
    return (this.rows.size + 1) * this.capacity * BYTES_PER_SLOT;
  }

  /**
   * Moves the window to [start, end] (both on the grid): drops slots before `start`, appends empty
   * (NaN) slots up to `end`, and forgets series with no sample left in the window.
   */
  advance(start: number, end: number): void {
    if (this.len > 0) {
      const drop = Math.min(this.len, Math.max(0, Math.round((start - this.times[this.head]) / this.stepMs)));
      this.head += drop;
      this.len -= drop;
    }
    if (this.len === 0) this.head = 0;
    const from = this.len > 0 ? this.endT + this.stepMs : start;
    const add = Math.max(0, Math.round((end - from) / this.stepMs) + 1);
    if (this.len + add > this.slots) throw new Error(`GridWindow: [${start}, ${end}] needs ${this.len + add} slots, holds ${this.slots}`);
    if (this.head + this.len + add > this.capacity) this.compact();
    const at = this.head + this.len;
    for (let k = 0; k < add; k++) this.times[at + k] = from + k * this.stepMs;
    for (const row of this.rows.values()) row.values.fill(NaN, at, at + add);
    this.len += add;
    for (const [key, row] of this.rows) if (row.last < start) this.drop(key);
    this.cursor = 0;
  }

  /**
   * Writes fetched samples of one series. With `replaceFrom`, what the series held from that time on
   * is cleared first (the overlap re-read replaces it). Samples off the window are ignored.
   */
  write(key: string, labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>, replaceFrom?: number): void {
    if (this.len === 0 || ts.length === 0) return;
    let row = this.rowOf(key);
    if (!row) {
      row = { labels, values: new Float64Array(this.capacity).fill(NaN), first: Infinity, last: -Infinity, at: this.order.length };
      this.rows.set(key, row);
      this.changes++;
      if (!this.orderStale) {
        this.order.push(row);
        this.orderKeys.push(key);
      }
    }
    const t0 = this.times[this.head];
    const lastSlot = this.head + this.len - 1;
    if (replaceFrom !== undefined) {
      row.values.fill(NaN, Math.max(this.head, this.head + Math.ceil((replaceFrom - t0) / this.stepMs)), lastSlot + 1);
      if (row.last >= replaceFrom) row.last = -Infinity;
      if (row.first >= replaceFrom) row.first = Infinity;
    }
    for (let k = 0; k < ts.length; k++) {
      const slot = this.head + Math.round((ts[k] - t0) / this.stepMs);
      if (slot < this.head || slot > lastSlot) continue;
      row.values[slot] = vs[k];
      const t = this.times[slot];
      if (t < row.first) row.first = t;
      if (t > row.last) row.last = t;
    }
    if (row.last === -Infinity) this.drop(key);
  }

  /**
   * The row of `key`. Why the cursor: an answer lists its series in the same order every time
   * (sorted by labels), the order they were first written in, so the row after the last one
   * written is nearly always the next one asked for; comparing its key saves a hash lookup per
   * series and tick. Any other order falls back to the lookup.
   */
  private rowOf(key: string): HeldRow | undefined {
    if (this.orderStale) {
      this.order = [...this.rows.values()];
      this.orderKeys = [...this.rows.keys()];
      this.order.forEach((row, k) => (row.at = k));
      this.orderStale = false;
      this.cursor = 0;
    }
    const k = this.cursor;
    if (k < this.orderKeys.length && this.orderKeys[k] === key) {
      this.cursor = k + 1;
      return this.order[k];
    }
    const row = this.rows.get(key);
    // Series that stopped or started reporting: carry on from this one.
    if (row) this.cursor = row.at + 1;
    return row;
  }

  private drop(key: string): void {
    this.rows.delete(key);
    this.changes++;
    this.orderStale = true;
  }

  /** Zero-copy views of every series over [start, end], each trimmed to its own first and last sample; `each` sees the row behind each view. */
  view(start: number, end: number, each?: (row: GridRow, series: Series) => void): Series[] {
    const out: Series[] = [];
    if (this.len === 0) return out;
    const t0 = this.times[this.head];
    // Why: most series span the same slots; they share one view of the times instead of one each.
    let times = this.times.subarray(0, 0);
    let ta = -1;
    for (const row of this.rows.values()) {
      const from = Math.max(start, row.first);
      const to = Math.min(end, row.last);
      if (from > to) continue;
      const a = this.head + Math.ceil((from - t0) / this.stepMs);
      const b = this.head + Math.floor((to - t0) / this.stepMs) + 1;
      if (a !== ta || b !== ta + times.length) {
        times = this.times.subarray(a, b);
        ta = a;
      }
      const series: Series = { labels: row.labels, timestamps: times, values: row.values.subarray(a, b) };
      out.push(series);
      each?.(row, series);
    }
    return out;
  }

  private compact(): void {
    // Why: views handed out earlier alias these buffers; they are documented as valid until the next fetch.
    this.times.copyWithin(0, this.head, this.head + this.len);
    for (const row of this.rows.values()) row.values.copyWithin(0, this.head, this.head + this.len);
    this.head = 0;
  }
}

/** Stable identity of a label set, independent of key order (fast path when the keys arrive sorted, as they do). */
export function labelKey(labels: Labels): string {
  let keys = Object.keys(labels);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys = keys.slice().sort();
      break;
    }
  }
  let out = '';
  for (const k of keys) out += `${k}\u0001${labels[k]}\u0002`;
  return out;
}
