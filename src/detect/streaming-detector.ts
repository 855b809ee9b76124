import type { Direction } from './verdict.js';
import { directedZ, flooredStd, zOf, type Guards } from './guards.js';

/**
 * Parameters of the default detector, in samples (the caller converts durations using the
 * series' sample spacing). One fixed configuration is used everywhere; see docs/detection.md.
 */
export interface DefaultParams {
  /** Trailing baseline length in samples (3 h by default). */
  baseline: number;
  /** Points averaged into the short-term score (the persistence requirement). */
  shortWindow: number;
  /** Length of the score history the tail probability is computed over. */
  scoreHistory: number;
  /** Winsorising bound: a point enters the baseline clipped to mean +- clip * sigma. */
  clip: number;
  /** Alarm only when the short-term mean z is at least this (strong evidence in absolute terms too). */
  minZ: number;
  /** Alarm when the tail probability of the short-term score is below this. */
  tailProbability: number;
  /** Samples after an alarm during which no new alarm is raised (one alarm per episode). */
  refractory: number;
  /** Samples per day for the seasonal comparison (0: off). */
  seasonLag: number;
  /** Half-width, in samples, of the neighbourhood around the same time yesterday. */
  seasonSlack: number;
  /** Guards (minimum samples, std floors, volume). */
  guards: Guards;
  direction: Direction;
}

/** One step's output. */
export interface StepResult {
  /** Raw directed z of the point against the baseline (0 while warming up or for NaN). */
  z: number;
  /** Anomaly score in [0, 1]: 1 - tail probability of the short-term score. */
  score: number;
  alarm: boolean;
  /** Baseline mean and floored sigma used for this point. */
  mean: number;
  std: number;
}

/** A fixed-capacity ring buffer with running sum and sum of squares (O(1) per push). */
class RollingMoments {
  private readonly buf: Float64Array;
  private head = 0;
  count = 0;
  private sum = 0;
  private sumSq = 0;
  private shift = NaN;
  constructor(readonly capacity: number) {
    this.buf = new Float64Array(Math.max(1, capacity));
  }
  push(x: number): void {
    // Why a shift: running sums of squares of large levels (bytes/s) lose precision otherwise.
    if (Number.isNaN(this.shift)) this.shift = x;
    const d = x - this.shift;
    if (this.count === this.buf.length) {
      const old = this.buf[this.head];
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.count++;
    this.buf[this.head] = d;
    this.head = (this.head + 1) % this.buf.length;
    this.sum += d;
    this.sumSq += d * d;
  }
  mean(): number {
    return this.count === 0 ? NaN : this.shift + this.sum / this.count;
  }
  std(): number {
    if (this.count === 0) return NaN;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }
}

/**
 * The default detector, one instance per series, fed one point at a time (each point judged only
 * against earlier points). Per point: a z-score against a winsorised trailing baseline; the
 * short-term average of those z-scores; its tail probability against the history of z-scores
 * (an anomaly-likelihood); an alarm when that probability is tiny, then silence for `refractory`
 * samples so that one episode raises one alarm.
 */
export class StreamingDetector {
  private readonly base: RollingMoments;
  private readonly scores: RollingMoments;
  private readonly recent: Float64Array;
  private recentHead = 0;
  private recentSum = 0;
  private recentCount = 0;
  private shortZ = 0;
  private sinceAlarm = Infinity;
  private readonly history: Float64Array;
  private seen = 0;

  constructor(readonly p: DefaultParams) {
    this.history = new Float64Array(p.seasonLag > 0 ? p.seasonLag + p.seasonSlack + 1 : 1);
    this.base = new RollingMoments(p.baseline);
    this.scores = new RollingMoments(p.scoreHistory);
    this.recent = new Float64Array(Math.max(1, p.shortWindow));
  }

  /** Forgets the last alarm, so the next qualifying point alarms again (used when judging a new window). */
  resetRefractory(): void {
    this.sinceAlarm = Infinity;
  }

  /** Judges `x` against the earlier points, then adds it to the state. */
  step(x: number): StepResult {
    this.sinceAlarm++;
    const g = this.p.guards;
    const mean = this.base.mean();
    const sigma = flooredStd(this.base.std(), mean, g);
    if (!Number.isFinite(x)) {
      this.remember(NaN);
      return { z: 0, score: 0, alarm: false, mean, std: sigma };
    }
    let z = 0;
    if (this.base.count >= g.minSamples) {
      const lowVolume = Math.abs(mean) < g.minVolume && Math.abs(x) < g.minVolume;
      z = lowVolume ? 0 : Math.max(0, Math.min(directedZ(zOf(x, mean, sigma), this.p.direction), 50));
      // Why: a daily batch job is unusual against the last hours but normal against yesterday.
      if (z > 0) z = Math.min(z, this.seasonalZ(x, sigma));
    }
    const score = this.scoreOf(z);
    const alarm = score >= 1 - this.p.tailProbability && this.shortZ >= this.p.minZ && this.sinceAlarm > this.p.refractory;
    if (alarm) this.sinceAlarm = 0;
    this.learn(x, mean, sigma);
    this.remember(x);
    return { z, score, alarm, mean, std: sigma };
  }

  /** Directed z of x against the closest value around the same time one season ago (Infinity: unknown). */
  private seasonalZ(x: number, sigma: number): number {
    const { seasonLag: lag, seasonSlack: k } = this.p;
    if (lag <= 0 || this.seen < lag + k || !(sigma > 0)) return Infinity;
    const h = this.history;
    let best = Infinity;
    for (let j = -k; j <= k; j++) {
      const y = h[(this.seen - lag + j + h.length * 4) % h.length];
      if (!Number.isFinite(y)) continue;
      const dz = directedZ((x - y) / sigma, this.p.direction);
      if (dz < best) best = dz;
    }
    return Math.max(0, best);
  }

  private remember(x: number): void {
    this.history[this.seen % this.history.length] = x;
    this.seen++;
  }

  /** Tail probability of the short-term mean z against the z history, as 1 - p. */
  private scoreOf(z: number): number {
    const r = this.recent;
    // Why lagged: a z leaves the short window before it joins the history, so an ongoing
    // episode never inflates the spread it is judged against.
    if (this.recentCount === r.length) {
      const old = r[this.recentHead];
      this.recentSum -= old;
      this.scores.push(old);
    } else this.recentCount++;
    r[this.recentHead] = z;
    this.recentHead = (this.recentHead + 1) % r.length;
    this.recentSum += z;
    const short = this.recentSum / this.recentCount;
    this.shortZ = short;
    // Why: a tail probability over a handful of scores is noise; wait for a quarter of the history.
    const ready = this.scores.count >= Math.max(this.p.guards.minSamples, this.p.scoreHistory >> 2);
    const m = this.scores.mean();
    const s = Math.max(this.scores.std(), 0.05);
    if (!ready) return 0;
    return 1 - upperTail((short - m) / s);
  }

  /** Adds x to the baseline, winsorised so one spike does not blow up the spread. */
  private learn(x: number, mean: number, sigma: number): void {
    const c = this.p.clip;
    const ready = this.base.count >= this.p.guards.minSamples && sigma > 0;
    this.base.push(ready ? Math.min(mean + c * sigma, Math.max(mean - c * sigma, x)) : x);
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
