import type { Direction } from './verdict.js';
import { directedZ } from './guards.js';

/**
 * The history behind the weekly seasonal comparison: a week of slot means (a slot is
 * `slot` consecutive samples, NaN when none of them was finite). Why slots: a week of raw samples
 * at 15 s is 40,320 values (322 KB per series); in 5-minute slots it is 2,016 (16 KB). At 5
 * minutes or coarser a slot is one sample, and the comparison is against the raw values, exactly
 * like the daily one.
 */
export class SlotHistory {
  /** Grows up to `full` as slots arrive (most series are judged for hours, not a week). */
  private ring: Float64Array;
  private readonly full: number;
  /** Slots per lag. */
  private readonly perLag: number;
  /** Completed slots. */
  private slots = 0;
  private sum = 0;
  private finite = 0;
  private inSlot = 0;

  constructor(lagSamples: number, readonly slot: number, readonly slack: number) {
    this.perLag = Math.max(1, Math.round(lagSamples / slot));
    this.full = this.perLag + slack + 1;
    this.ring = new Float64Array(Math.min(this.full, 64));
  }

  /** Bytes of the slots held now. */
  bytes(): number {
    return this.ring.byteLength;
  }

  /** Adds the next sample (NaN for a gap). */
  push(x: number): void {
    if (Number.isFinite(x)) {
      this.sum += x;
      this.finite++;
    }
    if (++this.inSlot < this.slot) return;
    // Why no wrap before the ring is full: until then it is never read (z() needs a whole lag).
    this.ring = ringFor(this.ring, this.slots, this.full);
    this.ring[this.slots % this.ring.length] = this.finite > 0 ? this.sum / this.finite : NaN;
    this.slots++;
    this.sum = 0;
    this.finite = 0;
    this.inSlot = 0;
  }

  /**
   * Smallest directed z of x against the slots within +-slack of the same slot one lag ago, floored
   * at 0 (Infinity: that history is not there yet).
   */
  z(x: number, sigma: number, direction: Direction): number {
    const k = this.slack;
    const target = this.slots - this.perLag;
    if (target - k < 0 || !(sigma > 0)) return Infinity;
    const r = this.ring;
    // A whole lag has been kept, so the ring is full and indices wrap.
    let best = Infinity;
    for (let j = -k; j <= k; j++) {
      const y = r[(target + j) % r.length];
      if (!Number.isFinite(y)) continue;
      const dz = directedZ((x - y) / sigma, direction);
      if (dz < best) best = dz;
    }
    return Math.max(0, best);
  }
}

/**
 * The ring to write entry `index` into: `ring` itself, or a copy twice as long (at most `full`) once
 * `index` reaches its end before it is full. Until a ring is full nothing wraps, so entry i sits at
 * index i, where the full ring keeps it (i mod full). Why grow: most series are judged for hours,
 * and a season's history is read only once a whole lag is held.
 */
export function ringFor(ring: Float64Array, index: number, full: number): Float64Array {
  if (index < ring.length || ring.length >= full) return ring;
  const grown = new Float64Array(Math.min(full, 2 * ring.length));
  grown.set(ring);
  return grown;
}
