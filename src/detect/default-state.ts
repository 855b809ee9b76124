import type { Samples } from './check.js';
import type { Verdict } from './verdict.js';
import { upperBoundNear } from './series-stats.js';
import { StreamingDetector, type DefaultParams } from './streaming-detector.js';
import { DEFAULT_SHAPE, defaultParams, judgeDefaultWindow, sampleStepSeconds, type DefaultVerdictOptions } from './default-detector.js';
import { FedRing, RecordedWindow } from './recorded-steps.js';

/**
 * The one window every state judges through (reset for each verdict, used before `verdict`
 * returns). Why one: 10,000 states each with their own would each be a cache miss per tick.
 */
const judgedWindow = new RecordedWindow(DEFAULT_SHAPE.refractorySamples);

/**
 * The default detector of one series kept across ticks: each call feeds only the samples newer
 * than the last one fed (O(new samples)) instead of replaying the whole fetched baseline. The
 * verdict equals `defaultVerdict` with the detector replayed over every sample since `origin`
 * (`replayFrom`; a property test, default-state.property.test.ts). It starts over from the samples given (a replay) when:
 * - the samples no longer reach back to the last one fed (a gap longer than the fetched window),
 *   or time went backwards;
 * - a value already fed changed (the backend re-read late scrapes: history replaced);
 * - the sample spacing changed (the detector's lengths are in samples).
 *
 * The detector runs without its refractory period, so that each step's `alarm` says whether the
 * point qualifies; the judged window applies the refractory itself from the window's start, as a
 * replay does. Not pure: it mutates itself. One instance per (check, series); the monitor keeps them.
 */
export class DefaultDetectorState {
  private det?: StreamingDetector;
  private stepMs = NaN;
  private stepSeconds = 15;
  private readonly recent = new FedRing();
  /** Time of the first sample of the current run (a replay from here gives the same verdicts). */
  origin = NaN;
  /** How many times the state started over (not counting the first time). */
  restarts = 0;
  /** The time of the last call (the monitor drops states it has not used for a while). */
  lastUsed = NaN;
  /** Distances of the last call's window and baseline bounds from its newest sample (where to look first). */
  private fromEnd0 = -1;
  private fromEnd1 = -1;
  private fromEndB = -1;

  /** The default verdict at `now` over `s` (samples ascending; those after `now` are not fed). */
  verdict(s: Samples, now: number, o: DefaultVerdictOptions): Verdict {
    this.lastUsed = now;
    const ts = s.timestamps;
    const n = ts.length;
    // The bounds of indexRange; tick after tick they keep their distance from the newest sample.
    const w0 = upperBoundNear(ts, now - o.windowMs, n - this.fromEnd0);
    const w1 = upperBoundNear(ts, now, n - this.fromEnd1);
    const b0 = upperBoundNear(ts, now - o.windowMs - o.baselineMs, n - this.fromEndB);
    this.fromEnd0 = n - w0;
    this.fromEnd1 = n - w1;
    this.fromEndB = n - b0;
    this.sync(s, w0, w1, o);
    // Keep what the judged window needs (and at least the last sample fed, where the next call continues).
    this.recent.keepNewest(Math.max(1, w1 - w0));
    // The same guard and baseline span as a replay (`defaultVerdict`): the detector's state is older, the baseline is not.
    if (w0 - b0 < o.guards.minSamples) {
      return { kind: 'inconclusive', rule: 'default', reason: `baseline has ${w0 - b0} samples, need ${o.guards.minSamples}` };
    }
    const det = this.det!;
    const ready = det.isReady();
    const view = judgedWindow.reset(this.recent, this.recent.size - (w1 - w0), ready, ready ? 0 : det.samplesToReady());
    return judgeDefaultWindow(view, s.values, b0, w0, w1, this.stepSeconds, o);
  }

  /** Brings the detector up to samples [0, end), holding the steps of [w0, end): feeds the new ones, or starts over. */
  private sync(s: Samples, w0: number, end: number, o: DefaultVerdictOptions): void {
    const ts = s.timestamps;
    const k = this.continueFrom(s, w0, end);
    if (k === undefined) {
      if (this.det) this.restarts++;
      this.stepSeconds = stepOf(ts, end);
      this.stepMs = this.stepSeconds * 1000;
      const p = paramsWithoutRefractory(this.stepSeconds, o);
      this.det = new StreamingDetector(p);
      this.recent.clear();
      this.origin = end > 0 ? ts[0] : NaN;
      // Only the steps of the judged window are held (at least the last one, where the next call continues).
      const held = Math.min(w0, end - 1);
      for (let i = 0; i < held; i++) this.det.step(s.values[i]);
      this.feed(s, Math.max(0, held), end);
      return;
    }
    this.feed(s, k, end);
  }

  /**
   * Index of the first sample to feed when the run can go on (the samples continue the ones fed,
   * unchanged, at the same spacing), else undefined.
   */
  private continueFrom(s: Samples, w0: number, end: number): number | undefined {
    const held = this.recent;
    const n = held.size;
    if (!this.det || n === 0) return undefined;
    const ts = s.timestamps;
    const last = held.time(n - 1);
    // Where the last sample fed should be, at the current spacing (checked, else searched).
    const k = exactIndex(ts, last, end, end - 1 - Math.round((ts[end - 1] - last) / this.stepMs));
    // Not there (a gap, time went back), or the judged window reaches before the steps still held.
    if (k < 0 || k + 1 - n > w0) return undefined;
    // The samples held from before must still be there, with the same values.
    const j0 = Math.max(0, n - 1 - k);
    if (!held.matches(j0, ts, s.values, k - (n - 1 - j0))) return undefined;
    // Why: the spacing decides the detector's lengths; a replay would use the new median spacing.
    for (let i = k + 1; i < end; i++) {
      if (ts[i] - ts[i - 1] !== this.stepMs) return stepOf(ts, end) === this.stepSeconds ? k + 1 : undefined;
    }
    return k + 1;
  }

  private feed(s: Samples, from: number, to: number): void {
    const det = this.det!;
    for (let i = from; i < to; i++) {
      // samplesToReady() is 0 exactly when the detector is ready (FLAGS relies on it).
      const toReadyBefore = det.isReady() ? 0 : det.samplesToReady();
      const x = s.values[i];
      this.recent.push(s.timestamps[i], x, det.step(x), toReadyBefore);
    }
  }
}

/** The detector's parameters without its refractory period, one object per configuration (see below). */
const shared: Array<{ stepSeconds: number; p: DefaultParams }> = [];

/**
 * `defaultParams` with `refractory: 0` (the judged window applies the refractory itself), shared by
 * every state with the same spacing, direction and guards (compared with Object.is). Why shared: a
 * tick reads the parameters of 10,000 detectors, and one object stays in cache where 10,000 copies
 * do not. Configurations are few (checks' guards and directions, sample spacings).
 */
function paramsWithoutRefractory(stepSeconds: number, o: DefaultVerdictOptions): DefaultParams {
  const g = o.guards;
  for (const e of shared) {
    const h = e.p.guards;
    if (Object.is(e.stepSeconds, stepSeconds) && e.p.direction === o.direction && Object.is(h.minSamples, g.minSamples) &&
      Object.is(h.minStd, g.minStd) && Object.is(h.minRelativeStd, g.minRelativeStd) && Object.is(h.minVolume, g.minVolume)) return e.p;
  }
  const p = Object.freeze({ ...defaultParams(stepSeconds, o.direction, Object.freeze({ ...g })), refractory: 0 });
  shared.push({ stepSeconds, p });
  return p;
}

/** The sample spacing a replay of samples [0, end) would use. */
function stepOf(ts: ArrayLike<number>, end: number): number {
  return sampleStepSeconds(end === ts.length ? ts : Array.prototype.slice.call(ts, 0, end));
}

/**
 * Index of the sample at exactly time `t` among the first `end`, or -1; `guess` is tried first
 * (the first sample at `t` when the one before it is earlier).
 */
function exactIndex(ts: ArrayLike<number>, t: number, end: number, guess: number): number {
  if (guess >= 0 && guess < end && ts[guess] === t && (guess === 0 || ts[guess - 1] < t)) return guess;
  let lo = 0;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && ts[lo] === t ? lo : -1;
}
