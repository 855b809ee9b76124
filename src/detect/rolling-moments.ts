/**
 * A fixed-capacity ring buffer with running sum and sum of squares (O(1) per push). The sums are
 * re-computed exactly from the buffer when they cancel: running sums over zeros and a few bumps
 * leave a mean like -3.6e-20 once the bumps have left, and a relative sigma floor of that noise
 * makes every later point look like a huge deviation (and clips it out of the baseline).
 */
export class RollingMoments {
  private readonly buf: Float64Array;
  private head = 0;
  count = 0;
  private sum = 0;
  private sumSq = 0;
  private shift = NaN;
  /** How many of the newest pushes were the same value (`last`). */
  private run = 0;
  private last = NaN;
  constructor(readonly capacity: number) {
    this.buf = new Float64Array(Math.max(1, capacity));
  }
  push(x: number): void {
    // Why a shift: running sums of squares of large levels (bytes/s) lose precision otherwise.
    if (Number.isNaN(this.shift)) this.shift = x;
    const d = x - this.shift;
    const before = this.sumSq;
    if (this.count === this.buf.length) {
      const old = this.buf[this.head] - this.shift;
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.count++;
    this.buf[this.head] = x;
    this.head = this.head + 1 === this.buf.length ? 0 : this.head + 1;
    this.sum += d;
    this.sumSq += d * d;
    this.run = x === this.last ? this.run + 1 : 1;
    this.last = x;
    // Why: the window holds one value only (a quiet counter's zeros): its mean is that value and
    // its deviation 0 exactly, whatever rounding the values that left it left in the sums.
    if (this.run >= this.count) {
      if (this.shift !== x || this.sum !== 0 || this.sumSq !== 0) [this.shift, this.sum, this.sumSq] = [x, 0, 0];
      return;
    }
    // Why: the sums have cancelled to rounding (the last bump left a stretch of zeros, or the
    // window is a constant far from the shift): re-sum about the newest value, which is exact.
    const q = this.sumSq;
    if ((this.sum !== 0 || q !== 0) && (q <= 1e-9 * before || q - (this.sum * this.sum) / this.count <= 1e-9 * q)) this.resum(x);
  }
  mean(): number {
    return this.count === 0 ? NaN : this.shift + this.sum / this.count;
  }
  std(): number {
    if (this.count === 0) return NaN;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }
  private resum(shift: number): void {
    this.shift = shift;
    let s = 0;
    let q = 0;
    const n = this.count;
    // The filled part of the ring is [0, count) until it is full, then all of it.
    for (let i = 0; i < n; i++) {
      const d = this.buf[i] - shift;
      s += d;
      q += d * d;
    }
    this.sum = s;
    this.sumSq = q;
  }
}

/** Upper tail of the standard normal, Q(x) = P(N(0,1) > x) (Abramowitz-Stegun 7.1.26 via erfc). */
export function upperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
