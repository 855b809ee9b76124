import type { Direction } from './verdict.js';
import { directedZ, flooredStd, zOf, type Guards } from './guards.js';
import { RollingMoments, upperTail } from './rolling-moments.js';
import { ringFor, SlotHistory } from './slot-history.js';
import { SlowScore } from './slow-score.js';

export { upperTail } from './rolling-moments.js';

/** z values the score history must hold before the likelihood (and any alarm) is trusted. */
export const SCORE_WARMUP_SAMPLES = 72;

/**
 * Parameters of the default detector, in samples (the caller converts durations using the
 * series' sample spacing). One fixed configuration is used everywhere; see docs/detection.md.
 */
export interface DefaultParams {
  /** Trailing baseline length in samples. */
  baseline: number;
  /** Points averaged into the short-term score (the persistence requirement). */
  shortWindow: number;
  /** Length of the score history the tail probability is computed over. */
  scoreHistory: number;
  /** Winsorising bound: a point enters the baseline clipped to mean +- clip * sigma. */
  clip: number;
  /**
   * Largest z a point can score (a constant series' infinite z must stay finite in running sums).
   * It also bounds how far one extreme point moves the score history (which quiets the likelihood
   * for a while after a huge spike) and the record: too low a cap and a series whose record
   * reached it can never alarm again; see docs/detection.md.
   */
  zCap: number;
  /** Minimum effect: no alarm unless the short-term mean z is at least this. */
  minZ: number;
  /** Minimum effect: no alarm unless the short-term mean differs from the usual level by this fraction of it. */
  minRelativeChange: number;
  /** Alarm only when the tail probability of the short-term score is below this (1: this gate is off). */
  tailProbability: number;
  /**
   * Adaptive alarm suppression: the short-term score must beat the series' own decaying record of
   * earlier scores (outside alarmed episodes), which halves every `recordHalfLife` samples (0: off).
   * A series that often scores high (bursty traffic) raises its own bar; a quiet one keeps it low.
   */
  recordHalfLife: number;
  /** Scores up to this (z units) enter the record as they are; above it the growth limit applies. */
  recordCap: number;
  /**
   * How much one score may raise the record, as a factor of the record (entries are capped at
   * max(recordCap, record * recordGrowth)): a series that keeps spiking ratchets its bar up, one
   * huge incident does not blind the detector to the next for days.
   */
  recordGrowth: number;
  /** Samples after an alarm during which no new alarm is raised (one alarm per episode). */
  refractory: number;
  /** Samples per day for the seasonal comparison (0: off). */
  seasonLag: number;
  /** Half-width, in samples, of the neighbourhood around the same time yesterday. */
  seasonSlack: number;
  /**
   * The weekly seasonal comparison (7 seasonal lags back): samples per slot of its history, which
   * keeps slot means (0: off). See slot-history.ts.
   */
  weekSlot: number;
  /**
   * Points averaged into the slow score, a second way to alarm with its own likelihood and record
   * (a level shift or drift too small for the short score; 0: off). See slow-score.ts.
   */
  slowWindow: number;
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
  /** Short-term mean z (the score the alarm rule judges). */
  shortZ: number;
  /** The record the short-term score had to beat (0 when that gate is off). */
  bar: number;
}

/**
 * The default detector, one instance per series, fed one point at a time (each point judged only
 * against earlier points). Per point: a z-score against a winsorised trailing baseline (and
 * against the same time yesterday and a week ago); the short-term average of those z-scores; an
 * alarm when that average is a minimum effect in absolute terms (z and relative change), unlikely
 * under the series' own history of scores (anomaly likelihood) and above the series' own decaying
 * record of scores (adaptive suppression), or when the slow score (a longer average) is unlikely
 * and above its own record; then silence for `refractory` samples (one alarm per episode).
 */
export class StreamingDetector {
  private readonly base: RollingMoments;
  private readonly scores: RollingMoments;
  private readonly recentZ: Float64Array;
  private recentHead = 0;
  private recentCount = 0;
  private recentSum = 0;
  private sinceAlarm = Infinity;
  /**
   * The last day of values (for the daily comparison), a ring of `historyFull` slots once full.
   * Why it grows: a 15 s series needs 5,761 slots (46 KB) for the day, but most series are judged
   * for hours (a deploy's bake, a reference check), and the ring is read only once a day is held.
   */
  private history: Float64Array;
  private readonly historyFull: number;
  private seen = 0;
  private record = 0;
  /** Departures from a flat baseline waiting to enter it (value, step at which they enter). */
  private readonly held: { x: number; due: number }[] = [];
  private readonly decay: number;
  private readonly week?: SlotHistory;
  private readonly slow?: SlowScore;

  constructor(readonly p: DefaultParams) {
    this.historyFull = p.seasonLag > 0 ? p.seasonLag + p.seasonSlack + 1 : 1;
    this.history = new Float64Array(Math.min(this.historyFull, 256));
    if (p.seasonLag > 0 && p.weekSlot > 0) this.week = new SlotHistory(7 * p.seasonLag, p.weekSlot, p.seasonSlack);
    if (p.slowWindow > 0) this.slow = new SlowScore(p.slowWindow, p.scoreHistory);
    this.base = new RollingMoments(p.baseline);
    this.scores = new RollingMoments(p.scoreHistory);
    this.recentZ = new Float64Array(Math.max(1, p.shortWindow));
    this.decay = p.recordHalfLife > 0 ? Math.pow(0.5, 1 / p.recordHalfLife) : 0;
  }

  /** Forgets the last alarm, so the next qualifying point alarms again (used when judging a new window). */
  resetRefractory(): void {
    this.sinceAlarm = Infinity;
  }

  /** True once the score history holds enough z values for alarms to be trusted. */
  isReady(): boolean {
    return this.scores.count >= Math.max(this.p.guards.minSamples, SCORE_WARMUP_SAMPLES);
  }

  /** Finite samples still needed before `isReady()` (approximate: gaps delay it). */
  samplesToReady(): number {
    const need = Math.max(this.p.guards.minSamples, SCORE_WARMUP_SAMPLES) - this.scores.count;
    return need <= 0 ? 0 : need + (this.base.count < this.p.guards.minSamples ? this.p.guards.minSamples - this.base.count : 0) + this.p.shortWindow;
  }

  /** Judges `x` against the earlier points, then adds it to the state. */
  step(x: number): StepResult {
    this.sinceAlarm++;
    const g = this.p.guards;
    const mean = this.base.mean();
    const sigma = flooredStd(this.base.std(), mean, g);
    if (!Number.isFinite(x)) {
      this.remember(NaN);
      return { z: 0, score: 0, alarm: false, mean, std: sigma, shortZ: 0, bar: this.record };
    }
    let z = 0;
    if (this.base.count >= g.minSamples) {
      const lowVolume = Math.abs(mean) < g.minVolume && Math.abs(x) < g.minVolume;
      z = lowVolume ? 0 : Math.max(0, Math.min(directedZ(zOf(x, mean, sigma), this.p.direction), this.p.zCap));
      // Why: a daily batch job is unusual against the last hours but normal against yesterday.
      if (z > 0) z = Math.min(z, this.seasonalZ(x, sigma));
    }
    const { short, score, ready } = this.scoreOf(z);
    let bar = this.decay > 0 ? this.record : 0;
    const slow = this.slow;
    slow?.step(z, ready);
    const likely = 1 - this.p.tailProbability;
    const free = ready && this.sinceAlarm > this.p.refractory && this.effectLargeEnough(z, x, mean);
    let alarm = free && score >= likely && short > bar;
    // Why a second way: a level shift or drift of 1-2 sigmas held for a while never makes an
    // unlikely short score, but its slow score is unlikely against the slow scores' own history.
    if (free && !alarm && slow && slow.value > (this.decay > 0 ? slow.record : 0) && slow.score() >= likely) {
      alarm = true;
      bar = this.decay > 0 ? slow.record : 0;
    }
    if (alarm) this.sinceAlarm = 0;
    // Why only once the daily comparison is active: the first day's daily pattern would otherwise
    // set a record that hides anomalies for days.
    if (ready && (this.p.seasonLag <= 0 || this.seen >= this.p.seasonLag + this.p.seasonSlack)) {
      this.updateRecord(short);
      if (this.decay > 0) slow?.updateRecord(this.decay, this.p.recordCap, this.p.recordGrowth);
    }
    this.learnOrHold(x, mean, sigma);
    this.remember(x);
    return { z, score, alarm, mean, std: sigma, shortZ: short, bar };
  }

  /** The minimum absolute effect of the point: its z and its relative change, whatever the likelihood says. */
  private effectLargeEnough(z: number, x: number, mean: number): boolean {
    if (!(z >= this.p.minZ) || !(z > 0)) return false;
    return Math.abs(x - mean) >= this.p.minRelativeChange * Math.abs(mean);
  }

  /**
   * Decaying record of short-term scores, alarmed episodes included (a series that keeps alarming
   * must raise its own bar), each limited to max(recordCap, record * recordGrowth).
   */
  private updateRecord(short: number): void {
    if (this.decay <= 0) return;
    const cap = Math.max(this.p.recordCap, this.record * this.p.recordGrowth);
    this.record = Math.max(this.record * this.decay, Math.min(short, cap));
  }

  /**
   * Directed z of x against the closest value around the same time one day ago, or one week ago
   * when that is closer (Infinity: unknown).
   */
  private seasonalZ(x: number, sigma: number): number {
    const daily = this.dailyZ(x, sigma);
    return this.week ? Math.min(daily, this.week.z(x, sigma, this.p.direction)) : daily;
  }

  private dailyZ(x: number, sigma: number): number {
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

  /** Bytes of the seasonal histories held now (the day's values and the week's slots). */
  seasonalBytes(): number {
    return this.history.byteLength + (this.week?.bytes() ?? 0);
  }

  private remember(x: number): void {
    this.history = ringFor(this.history, this.seen, this.historyFull);
    this.history[this.seen % this.history.length] = x;
    this.week?.push(x);
    this.seen++;
  }

  /** Short-term mean of z, and the tail probability of the short z against the z history, as 1 - p. */
  private scoreOf(z: number): { short: number; score: number; ready: boolean } {
    const rz = this.recentZ;
    const h = this.recentHead;
    // Why lagged: a z leaves the short window before it joins the history, so an ongoing
    // episode never inflates the spread it is judged against.
    if (this.recentCount === rz.length) {
      this.recentSum -= rz[h];
      this.scores.push(rz[h]);
    } else this.recentCount++;
    rz[h] = z;
    this.recentHead = h + 1 === rz.length ? 0 : h + 1;
    this.recentSum += z;
    const short = this.recentSum / this.recentCount;
    // Why: a tail probability over a handful of scores is noise; wait for a quarter of the history.
    const ready = this.isReady();
    if (!ready) return { short, score: 0, ready };
    const s = Math.max(this.scores.std(), 0.05);
    return { short, score: 1 - upperTail((short - this.scores.mean()) / s), ready };
  }

  /**
   * Adds x to the baseline, except a departure from a flat baseline, which waits until it has
   * left the short window. Why: a zero spread clips nothing, so the first point of a jump from a
   * flat line would enter whole and make the jump's next point look usual; the short score must
   * judge each of its points against a baseline without the others.
   */
  private learnOrHold(x: number, mean: number, sigma: number): void {
    const h = this.held;
    while (h.length > 0 && h[0].due <= this.seen) this.learn(h.shift()!.x, mean, sigma);
    const lag = this.p.shortWindow - 1;
    const flat = this.base.count >= this.p.guards.minSamples && sigma === 0 && x !== mean;
    if (flat && lag > 0) h.push({ x, due: this.seen + lag });
    else this.learn(x, mean, sigma);
  }

  /** Adds x to the baseline, winsorised so one spike does not blow up the spread. */
  private learn(x: number, mean: number, sigma: number): void {
    const c = this.p.clip;
    const ready = this.base.count >= this.p.guards.minSamples && sigma > 0;
    this.base.push(ready ? Math.min(mean + c * sigma, Math.max(mean - c * sigma, x)) : x);
  }
}
