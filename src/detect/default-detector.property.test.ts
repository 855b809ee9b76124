import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateCheck } from './evaluate-check.js';
import { DEFAULT_SHAPE } from './default-detector.js';

const STEP = 15_000;

/** Random series: a level, noise, optional spikes and a step in the last minutes, sometimes gaps. */
const seriesArb = fc
  .record({
    level: fc.double({ min: -50, max: 5000, noNaN: true }),
    noise: fc.double({ min: 0, max: 200, noNaN: true }),
    step: fc.double({ min: -3000, max: 3000, noNaN: true }),
    stepAt: fc.integer({ min: 700, max: 739 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    spikeEvery: fc.integer({ min: 5, max: 400 }),
    gaps: fc.boolean(),
  })
  .map((p) => {
    let s = p.seed;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
    const values = Array.from({ length: 740 }, (_, i) => {
      if (p.gaps && i % 37 === 0) return NaN;
      const spike = i % p.spikeEvery === 0 ? 10 * p.noise : 0;
      return p.level + p.noise * rnd() + spike + (i >= p.stepAt ? p.step : 0);
    });
    return { timestamps: values.map((_, i) => (i + 1) * STEP), values };
  });

test('property: every default breach is a minimum effect a person would call abnormal', () => {
  fc.assert(
    fc.property(seriesArb, fc.constantFrom('up' as const, 'down' as const, 'both' as const), fc.constantFrom(2, 3, 4), (s, direction, threshold) => {
      const v = evaluateCheck({
        samples: s,
        now: s.timestamps.at(-1)!,
        direction,
        detector: { type: 'default', baseline: 10_800, window: 300, threshold },
        dynamic: 'off',
        dynamicWindowSeconds: 21_600,
      }).anomaly;
      assert.ok(v.reason.length > 0 && !v.reason.includes('NaN'), v.reason);
      if (v.kind !== 'breach') return;
      const { value = NaN, mean = NaN, z = NaN, threshold: shown = NaN } = v;
      assert.ok(Math.abs(z) >= threshold, `breach at |z| ${z} below ${threshold}: ${v.reason}`);
      assert.ok(shown >= threshold, `threshold shown ${shown}`);
      assert.ok(Math.abs(value - mean) >= DEFAULT_SHAPE.minRelativeChange * Math.abs(mean) - 1e-9, `relative change too small: ${v.reason}`);
      assert.match(v.reason, /usual level for .+; usual /);
    }),
    { numRuns: 150 },
  );
});
