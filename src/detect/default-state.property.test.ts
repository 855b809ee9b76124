import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultVerdict, type DefaultVerdictOptions } from './default-detector.js';
import { DefaultDetectorState } from './default-state.js';
import { resolveGuards } from './guards.js';
import { evaluateCheck } from './evaluate-check.js';
import { indexRange } from './series-stats.js';

const STEP = 15_000;
/** Samples the monitor holds per series (3 h baseline + 5 min window at 15 s). */
const HELD = 741;

/** A series with noise, level shifts and spikes (so alarms happen), sometimes gaps. */
const seriesArb = fc
  .record({
    length: fc.integer({ min: 900, max: 1400 }),
    level: fc.double({ min: 1, max: 5000, noNaN: true }),
    noise: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    shifts: fc.array(fc.record({ at: fc.integer({ min: 0, max: 1399 }), len: fc.integer({ min: 1, max: 60 }), factor: fc.double({ min: 0.2, max: 8, noNaN: true }) }), { maxLength: 6 }),
    gapEvery: fc.option(fc.integer({ min: 7, max: 200 }), { nil: undefined }),
  })
  .map((p) => {
    let s = p.seed;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
    return Array.from({ length: p.length }, (_, i) => {
      if (p.gapEvery && i % p.gapEvery === 0) return NaN;
      const f = p.shifts.reduce((acc, sh) => (i >= sh.at && i < sh.at + sh.len ? acc * sh.factor : acc), 1);
      return p.level * f * (1 + p.noise * rnd());
    });
  });

/** One tick: how many new samples arrived, whether a late scrape changed a recent value, how far into the step `now` lies. */
const tickArb = fc.record({
  advance: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(HELD + 125)),
  lateChange: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 6, nil: undefined }),
  jitter: fc.integer({ min: 0, max: STEP - 1 }),
});

// Why several windows: 5 min (20 samples) is shorter than the refractory period (72), 30 min
// (120) longer, and more than 32 held steps make the ring of recorded steps grow.
const windowArb = fc.constantFrom(300_000, 300_000, 720_000, 1_800_000);

// The state judges a quiet window (no step alarmed or reached minZ) by a shortcut over its recorded
// steps (`quietFindings`), about half of the verdicts here; the replay always steps through the
// window, so this also compares the shortcut with the slow path.
test('property: the state kept across ticks gives the verdict of a full replay since its origin', () => {
  fc.assert(
    fc.property(seriesArb, fc.array(tickArb, { minLength: 1, maxLength: 25 }), fc.constantFrom('up' as const, 'down' as const, 'both' as const), windowArb, (values0, ticks, direction, windowMs) => {
      const values = [...values0];
      const timestamps = values.map((_, i) => 1_700_000_000_000 + i * STEP);
      const o: DefaultVerdictOptions = { baselineMs: 10_800_000, windowMs, direction, guards: resolveGuards({}), minZ: 3 };
      const fetched = (o.baselineMs + windowMs) / STEP + 1;
      const state = new DefaultDetectorState();
      let end = Math.min(values.length, 400);
      let origin = -1;
      let fed = -1;
      for (const t of ticks) {
        end = Math.min(values.length, end + t.advance);
        const start = Math.max(0, end - fetched);
        const late = fed - (t.lateChange ?? 0);
        if (t.lateChange !== undefined && late >= start && late >= 0) {
          // A late scrape re-read by the backend changes a value already fed (and still fetched).
          values[late] = Number.isFinite(values[late]) ? values[late] * 1.5 : 1;
          origin = -1;
        }
        // Where the run must (re)start: first call, a changed value, or a gap past the samples held.
        if (origin < 0 || start > fed) origin = start;
        const now = timestamps[end - 1] + t.jitter;
        const held = { timestamps: timestamps.slice(start, end), values: values.slice(start, end) };
        // The detector is fed every sample up to the judged window's end.
        fed = start + indexRange(held, now - o.windowMs, now)[1] - 1;
        const got = state.verdict(held, now, o);
        const replay = { timestamps: timestamps.slice(origin, end), values: values.slice(origin, end) };
        const want = defaultVerdict(replay, now, o, 0);
        assert.deepEqual(got, want);
        assert.equal(state.origin, timestamps[origin]);
      }
    }),
    { numRuns: 60 },
  );
});

test('evaluateCheck with a detector state: a fresh state on the held samples equals the plain replay', () => {
  // Exactly the replayed span (now - window - baseline, now]: 740 samples at 15 s.
  const n = HELD - 1;
  const values = Array.from({ length: n }, (_, i) => 100 + (i % 7) + (i > n - 4 ? 400 : 0));
  const timestamps = values.map((_, i) => 1_700_000_000_000 + i * STEP);
  const input = { samples: { timestamps, values }, now: timestamps[n - 1], direction: 'up' as const, detector: { type: 'default' as const, baseline: 10_800, window: 300, threshold: 3 }, dynamic: 'off' as const, dynamicWindowSeconds: 21_600 };
  const plain = evaluateCheck(input).anomaly;
  assert.equal(plain.kind, 'breach');
  assert.deepEqual(evaluateCheck({ ...input, detectorState: new DefaultDetectorState() }).anomaly, plain);
});
