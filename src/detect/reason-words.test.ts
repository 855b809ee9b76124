import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MARGIN, thresholdFromMeans, type RangeMean, type ThresholdMargin, type ThresholdParams } from './threshold.js';
import { fmt, judgeWindow } from './zscore.js';
import { periodMean } from './period-mean.js';
import { resolveGuards } from './guards.js';
import type { Samples } from './check.js';

// Reasons are built from whole phrases and keep the last margin's and pass tail's words (for
// speed). These properties hold them to the plain one-template-per-phrase texts, with margins,
// thresholds and directions changing from one call to the next.

/** The threshold reason as one template per phrase (the straightforward definition). */
function plainThresholdReason(judged: RangeMean, history: RangeMean, p: ThresholdParams): string {
  const m = p.margin ?? DEFAULT_MARGIN;
  const down = p.direction === 'down';
  const past = (s: Samples | undefined) => (s ? periodMean(s.values, s.timestamps.length) : undefined);
  let what: string;
  let threshold: number;
  if (p.mode === 'off') {
    threshold = p.static as number;
    what = `static threshold ${fmt(threshold)}`;
  } else {
    const day = past(p.seasonal?.dayAgo);
    const week = past(p.seasonal?.weekAgo);
    let average = history.mean;
    if (p.mode === 'seasonal') {
      const means = [history.mean, ...[day, week].filter((x) => x && x.count > 0).map((x) => x!.mean)];
      average = means.reduce((a, b) => a + b, 0) / means.length;
    }
    const noise = p.noiseStd !== undefined && Number.isFinite(p.noiseStd) ? m.sigmas * p.noiseStd : 0;
    const relative = m.relative * Math.abs(average);
    let margin = Math.max(relative, noise);
    let why = noise > relative ? `${m.sigmas} sigma` : `${Math.round(100 * m.relative)}%`;
    const excursions: number[] = [];
    for (const [h, w] of [[day, past(p.seasonal?.dayAgoWindow)], [week, past(p.seasonal?.weekAgoWindow)]]) {
      if (p.mode !== 'seasonal' || !h || !w || h.count < p.minSamples || w.count === 0 || h.mean === 0) continue;
      excursions.push((down ? h.mean - w.mean : w.mean - h.mean) / Math.abs(h.mean));
    }
    const expected = excursions.length ? Math.min(...excursions) : undefined;
    if (expected !== undefined && expected > 0) {
      const by = expected * Math.abs(average);
      margin += by;
      why += ` + ${fmt(by)} as the same window 1 d / 7 d ago stood out`;
    }
    const moved = down ? average - margin : average + margin;
    const bySt = p.static !== undefined && (down ? p.static < moved : p.static > moved);
    threshold = bySt ? (p.static as number) : moved;
    const made = `${p.mode} level ${fmt(average)} ${down ? '-' : '+'} margin ${fmt(margin)} (${why})`;
    what = bySt ? `static threshold ${fmt(threshold)} (${down ? 'below' : 'above'} ${made})` : `${p.mode} threshold ${fmt(threshold)} = ${made}`;
  }
  const beyond = (x: number) => (down ? x < threshold : x > threshold);
  const breach = beyond(judged.mean) && (p.trimmedMean === undefined || beyond(p.trimmedMean));
  const oneScrape = !breach && beyond(judged.mean) ? ' without its most extreme scrape' : '';
  return `average ${fmt(judged.mean)} ${breach ? '' : 'not '}${down ? 'below' : 'above'} ${what}${oneScrape}`;
}

const samplesOf = (vs: number[]): Samples => ({ timestamps: vs.map((_, i) => i), values: vs });

test('threshold reasons are the plain one-template texts, whatever margin came before (property)', () => {
  const margins: Array<ThresholdMargin | undefined> = [undefined, DEFAULT_MARGIN, { ...DEFAULT_MARGIN }, { relative: 0.25, sigmas: 2 }, { relative: 0.5, sigmas: 1 }, { relative: 0.005, sigmas: 3 }];
  const level = fc.double({ min: -500, max: 2000, noNaN: true });
  const past = fc.option(fc.array(level, { minLength: 1, maxLength: 30 }).map(samplesOf), { nil: undefined });
  const params = fc.record({
    judged: level,
    history: level,
    count: fc.constantFrom(0, 5, 30),
    mode: fc.constantFrom<'off' | 'dynamic' | 'seasonal'>('off', 'dynamic', 'seasonal'),
    direction: fc.constantFrom<'up' | 'down' | 'both'>('up', 'down', 'both'),
    static: fc.option(level, { nil: undefined }),
    margin: fc.nat({ max: margins.length - 1 }),
    noiseStd: fc.option(fc.double({ min: 0, max: 300, noNaN: true }), { nil: undefined }),
    trimmedMean: fc.option(level, { nil: undefined }),
    dayAgo: past,
    weekAgo: past,
    dayAgoWindow: past,
    weekAgoWindow: past,
  });
  fc.assert(
    fc.property(fc.array(params, { minLength: 1, maxLength: 6 }), (calls) => {
      for (const c of calls) {
        const p: ThresholdParams = {
          static: c.static, mode: c.mode, windowMs: 300_000, dynamicWindowMs: 3_600_000, direction: c.direction, minSamples: 10,
          seasonal: { dayAgo: c.dayAgo, weekAgo: c.weekAgo, dayAgoWindow: c.dayAgoWindow, weekAgoWindow: c.weekAgoWindow },
          margin: margins[c.margin], noiseStd: c.noiseStd, trimmedMean: c.trimmedMean,
        };
        const judged = { count: 20, mean: c.judged };
        const history = { count: c.count, mean: c.history };
        const v = thresholdFromMeans(judged, history, p);
        if (v.kind === 'inconclusive') continue;
        assert.equal(v.reason, plainThresholdReason(judged, history, p));
      }
    }),
    { numRuns: 500 },
  );
});

test('z-score reasons are the plain one-template texts, whatever threshold and direction came before (property)', () => {
  const guards = resolveGuards({});
  fc.assert(
    fc.property(
      fc.array(fc.record({ x: fc.double({ min: 90, max: 130, noNaN: true }), threshold: fc.constantFrom(3, 3, 2.5, 1.6455780267715454, 0, -0), direction: fc.constantFrom<'up' | 'down' | 'both'>('up', 'down', 'both') }), { minLength: 1, maxLength: 6 }),
      (calls) => {
        for (const { x, threshold, direction } of calls) {
          const v = judgeWindow([x], 0, 1, 100, 5, 30, { threshold, direction, guards }, 'zscore');
          const z = v.z as number;
          const want = v.kind === 'breach' ? `z=${fmt(z)} beyond ${threshold} (${direction})` : `max z=${fmt(z)} within ${threshold} (${direction})`;
          assert.equal(v.reason, want);
        }
      },
    ),
    { numRuns: 300 },
  );
});
