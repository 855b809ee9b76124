// The steps a kept default-detector state (default-state.ts) recorded for the samples it holds, and
// the judged window read back from them as a replay would step through it.
import type { StepResult } from './streaming-detector.js';
import type { DefaultStepper, WindowFindings, WindowStep } from './default-detector.js';

/**
 * Numbers held per fed sample, in two records of 4 doubles (32 bytes). The hot one is read for
 * every held sample on every call (the time and value checked against the caller's, the z and
 * the flags scanned by the judged window); the cold one only for the few steps a verdict reports.
 * FLAGS packs the step's alarm (bit 0) and the samples the detector still needed before it
 * (`samplesToReady()`, 0 exactly when it was ready) above it.
 */
const T = 0;
const X = 1;
const Z = 2;
const FLAGS = 3;
const SCORE = 0;
const MEAN = 1;
const STD = 2;
const BAR = 3;
const STRIDE = 4;

/**
 * The samples fed last, oldest first, and what the detector said about each: a ring of records in
 * one Float64Array (hot records, then cold ones; grown on demand, capacity a power of two), so
 * judging a window reads a few contiguous cache lines instead of objects scattered over the heap.
 */
export class FedRing {
  private buf = new Float64Array(2 * 32 * STRIDE);
  private mask = 31;
  /** Where the cold records start in `buf`. */
  private cold = 32 * STRIDE;
  private head = 0;
  size = 0;

  /** Offset of entry `j`'s hot record (its cold one is `cold` further). */
  private at(j: number): number {
    return ((this.head + j) & this.mask) * STRIDE;
  }
  time(j: number): number {
    return this.buf[this.at(j) + T];
  }
  /** Points `r` at the step of entry `j`. */
  result(j: number, r: RecordedStep): RecordedStep {
    const b = this.buf;
    const o = this.at(j);
    r.z = b[o + Z];
    r.alarm = (b[o + FLAGS] & 1) === 1;
    r.buf = b;
    r.cold = o + this.cold;
    return r;
  }
  /**
   * `judgeReplay`'s findings over entries j0.. (to the newest), the steps of values[w0..], when
   * none of them alarmed or reached `minZ`: then no episode runs (run 1, no scale needed) and the
   * strongest point is the first with the largest z among finite values. Undefined otherwise.
   * Why: most windows are quiet, and this reads the hot records only (and one cold one).
   */
  quietFindings(j0: number, values: ArrayLike<number>, w0: number, minZ: number): WindowFindings | undefined {
    const b = this.buf;
    const m = this.mask;
    let best = -1;
    let bestAt = 0;
    let z = 0;
    for (let j = j0, i = w0; j < this.size; j++, i++) {
      const o = ((this.head + j) & m) * STRIDE;
      const zj = b[o + Z];
      if (zj >= minZ || (b[o + FLAGS] & 1) === 1) return undefined;
      // The record's value equals values[i] (checked on entry); a gap is skipped, as judgeReplay does.
      if (!Number.isFinite(b[o + X])) continue;
      if (best < 0 || zj > z) {
        best = o;
        bestAt = i;
        z = zj;
      }
    }
    if (best < 0) return undefined;
    const c = best + this.cold;
    return { value: values[bestAt], z, mean: b[c + MEAN], std: b[c + STD], score: b[c + SCORE], bar: b[c + BAR], alarmed: false, run: 1, scale: -1 };
  }
  /** `samplesToReady()` of the detector before entry `j` was fed (0: it was ready). */
  toReady(j: number): number {
    return this.buf[this.at(j) + FLAGS] >>> 1;
  }
  push(t: number, x: number, r: StepResult, toReadyBefore: number): void {
    if (this.size === this.mask + 1) this.grow();
    const o = this.at(this.size++);
    const b = this.buf;
    b[o + T] = t;
    b[o + X] = x;
    b[o + Z] = r.z;
    b[o + FLAGS] = toReadyBefore * 2 + (r.alarm ? 1 : 0);
    const c = o + this.cold;
    b[c + SCORE] = r.score;
    b[c + MEAN] = r.mean;
    b[c + STD] = r.std;
    b[c + BAR] = r.bar;
  }
  /** True when entries j0.. (to the newest) hold the times and values of ts/values from index i0 on (NaN equals NaN). */
  matches(j0: number, ts: ArrayLike<number>, values: ArrayLike<number>, i0: number): boolean {
    const b = this.buf;
    const m = this.mask;
    for (let j = j0, i = i0; j < this.size; j++, i++) {
      const o = ((this.head + j) & m) * STRIDE;
      const x = values[i];
      const was = b[o + X];
      if (ts[i] !== b[o + T] || (x !== was && !(x !== x && was !== was))) return false;
    }
    return true;
  }
  /** Keeps only the newest `n`. */
  keepNewest(n: number): void {
    if (this.size <= n) return;
    this.head = (this.head + this.size - n) & this.mask;
    this.size = n;
  }
  clear(): void {
    this.head = 0;
    this.size = 0;
  }
  private grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    const cold = this.cold * 2;
    for (let j = 0; j < this.size; j++) {
      const o = this.at(j);
      next.set(this.buf.subarray(o, o + STRIDE), j * STRIDE);
      next.set(this.buf.subarray(o + this.cold, o + this.cold + STRIDE), cold + j * STRIDE);
    }
    this.buf = next;
    this.cold = cold;
    this.mask = this.mask * 2 + 1;
    this.head = 0;
  }
}

/**
 * A recorded step as the judged window reads it: z and alarm at hand, the cold record's numbers
 * read from the ring only when asked (for the few steps a verdict reports).
 */
class RecordedStep implements WindowStep {
  z = 0;
  alarm = false;
  buf = new Float64Array(STRIDE);
  cold = 0;
  get score(): number {
    return this.buf[this.cold + SCORE];
  }
  get mean(): number {
    return this.buf[this.cold + MEAN];
  }
  get std(): number {
    return this.buf[this.cold + STD];
  }
  get bar(): number {
    return this.buf[this.cold + BAR];
  }
}

/**
 * Hands out the recorded steps of the judged window to `judgeDefaultWindow`, applying the
 * streaming detector's refractory rule from the window's start (as a replay does after
 * `resetRefractory`). Reset for every verdict.
 */
export class RecordedWindow implements DefaultStepper {
  private ring!: FedRing;
  private first = 0;
  private next = 0;
  private empty = true;
  private sinceAlarm = Infinity;
  private readyNow = false;
  private toReadyNow = 0;
  /** The one result object handed out (pointed anew by every step). */
  private readonly out = new RecordedStep();
  constructor(private readonly refractory: number) {}

  /** Starts at ring entry `first` (none when `first` is the ring's size: then the detector's state now counts). */
  reset(ring: FedRing, first: number, readyNow: boolean, toReadyNow: number): this {
    this.ring = ring;
    this.first = first;
    this.next = first;
    this.empty = first >= ring.size;
    this.sinceAlarm = Infinity;
    this.readyNow = readyNow;
    this.toReadyNow = toReadyNow;
    return this;
  }
  isReady(): boolean {
    return this.empty ? this.readyNow : this.ring.toReady(this.first) === 0;
  }
  samplesToReady(): number {
    return this.empty ? this.toReadyNow : this.ring.toReady(this.first);
  }
  resetRefractory(): void {
    this.sinceAlarm = Infinity;
  }
  quietWindow(values: ArrayLike<number>, w0: number, minZ: number): WindowFindings | undefined {
    return this.empty ? undefined : this.ring.quietFindings(this.first, values, w0, minZ);
  }
  step(): WindowStep {
    const r = this.ring.result(this.next++, this.out);
    this.sinceAlarm++;
    r.alarm &&= this.sinceAlarm > this.refractory;
    if (r.alarm) this.sinceAlarm = 0;
    return r;
  }
}
