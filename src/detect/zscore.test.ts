import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCheck } from './evaluate-check.js';
import type { CheckInput } from './check.js';
import { fixedText, fmt } from './zscore.js';

const S = 1000; // 1 s steps; baseline 20 s, window 3 s
function input(values: number[], over: Partial<CheckInput> = {}, det: Record<string, unknown> = {}): CheckInput {
  const timestamps = values.map((_, i) => (i + 1) * S);
  return {
    samples: { timestamps, values },
    now: values.length * S,
    direction: 'both',
    detector: { type: 'zscore', baseline: 20, window: 3, threshold: 3, minSamples: 10, ...det },
    dynamic: 'off',
    dynamicWindowSeconds: 20,
    ...over,
  };
}
const noisy = (n: number) => Array.from({ length: n }, (_, i) => 10 + (i % 2 === 0 ? 1 : -1));

test('zscore: a single spike in the window breaches, the baseline excludes it', () => {
  const v = [...noisy(20), 10, 20, 10];
  const r = evaluateCheck(input(v)).anomaly;
  assert.equal(r.kind, 'breach');
  assert.equal(r.value, 20);
  assert.equal(r.mean, 10);
  assert.equal(r.std, 1);
  assert.equal(r.z, 10);
});

test('zscore: normal values pass', () => {
  assert.equal(evaluateCheck(input(noisy(23))).anomaly.kind, 'pass');
});

test('zscore: direction up ignores drops, down catches them', () => {
  const v = [...noisy(20), 10, 0, 10];
  assert.equal(evaluateCheck(input(v, { direction: 'up' })).anomaly.kind, 'pass');
  assert.equal(evaluateCheck(input(v, { direction: 'down' })).anomaly.kind, 'breach');
  assert.equal(evaluateCheck(input(v, { direction: 'both' })).anomaly.kind, 'breach');
});

test('zscore: step change breaches, slow drift within noise does not', () => {
  assert.equal(evaluateCheck(input([...noisy(20), 30, 30, 30])).anomaly.kind, 'breach');
  const drift = noisy(23).map((x, i) => x + i * 0.01);
  assert.equal(evaluateCheck(input(drift)).anomaly.kind, 'pass');
});

test('zscore: constant series uses the relative std floor; zero level with zero std is news', () => {
  const c = [...Array(20).fill(100), 100, 100.5, 100];
  assert.equal(evaluateCheck(input(c)).anomaly.kind, 'pass'); // floor 1% of 100 = 1
  const r = evaluateCheck(input([...Array(20).fill(0), 0, 1, 0])).anomaly;
  assert.equal(r.kind, 'breach');
  assert.equal(r.z, Infinity);
  assert.equal(evaluateCheck(input([...Array(23).fill(0)])).anomaly.kind, 'pass');
  assert.equal(evaluateCheck(input([...Array(20).fill(0), 0, 1, 0], {}, { minStd: 0.5 })).anomaly.kind, 'pass');
});

test('zscore: NaN, Infinity and gaps are skipped; too few samples is inconclusive', () => {
  const v = [...noisy(20), NaN, 20, Infinity];
  assert.equal(evaluateCheck(input(v)).anomaly.kind, 'breach');
  const sparse = [...noisy(20).map((x, i) => (i < 12 ? NaN : x)), 10, 10, 10];
  const r = evaluateCheck(input(sparse)).anomaly;
  assert.equal(r.kind, 'inconclusive');
  assert.match(r.reason, /8 samples, need 10/);
  assert.equal(evaluateCheck(input([...noisy(20), NaN, NaN, NaN])).anomaly.kind, 'inconclusive');
});

test('zscore: near-zero volume is inconclusive', () => {
  const v = [...Array(20).fill(0.001), 0, 0.003, 0];
  assert.equal(evaluateCheck(input(v, {}, { minVolume: 1 })).anomaly.kind, 'inconclusive');
});

test('malformed samples give error verdicts', () => {
  const bad = input(noisy(23));
  bad.samples = { timestamps: [1, 2], values: [1] };
  assert.equal(evaluateCheck(bad).anomaly.kind, 'error');
});

test('static, dynamic and seasonal thresholds', () => {
  const v = [...Array(20).fill(10), 50, 50, 50];
  const st = evaluateCheck(input(v, { static: 40 })).threshold!;
  assert.equal(st.kind, 'breach');
  assert.equal(st.rule, 'static');
  assert.equal(evaluateCheck(input(v, { static: 60 })).threshold!.kind, 'pass');
  // dynamic without a margin: max(static 5, average 10) = 10 (threshold.test.ts covers the margin)
  const none = { relative: 0, sigmas: 0 };
  const dy = evaluateCheck(input([...Array(20).fill(10), 12, 12, 12], { static: 5, dynamic: 'dynamic', margin: none })).threshold!;
  assert.equal(dy.threshold, 10);
  assert.equal(dy.kind, 'breach');
  // seasonal: mean(10, 20, 30) = 20, so 12 passes
  const ago = (x: number) => ({ timestamps: [1, 2], values: [x, x] });
  const se = evaluateCheck(input([...Array(20).fill(10), 12, 12, 12], { static: 5, dynamic: 'seasonal', margin: none, seasonal: { dayAgo: ago(20), weekAgo: ago(30) } })).threshold!;
  assert.equal(se.threshold, 20);
  assert.equal(se.kind, 'pass');
  assert.equal(evaluateCheck(input(v, { static: 60, direction: 'down' })).threshold!.kind, 'breach');
  assert.equal(evaluateCheck(input(v)).threshold, undefined);
});

test('fmt: 2 decimals exactly as toFixed (ties included), 3 significant digits outside [0.01, 1000)', () => {
  const ref = (x: number) => (!Number.isFinite(x) ? String(x) : Math.abs(x) >= 1000 || Math.abs(x) < 0.01 ? x.toPrecision(3) : x.toFixed(2));
  const xs = [0.01, -0.01, 0.009999, 999.995, 999.994999, 1.005, 2.675, 0.125, 0.015, -2.675, 3, -3.5, 105, 1e-9, 12345, NaN, -Infinity];
  for (let c = -100_000; c <= 100_000; c += 7) xs.push(c / 100, (c + 0.5) / 100, c / 1000 + 1e-12);
  for (const x of xs) assert.equal(fmt(x), ref(x), String(x));
  assert.equal(fmt(2.5), '2.50');
  assert.equal(fmt(-0.05), '-0.05');
});

test('fixedText: exactly toFixed for 0, 1 and 2 digits (ties, signs, zeros, large and non-finite values)', () => {
  const xs = [0, -0, 0.5, 1.5, 2.5, -0.5, 0.05, 0.15, 0.25, 1.05, 1.005, 2.675, 9.95, 9.995, 999.5, 999.95, 999.995, 1000, 1e21, 123456.789, NaN, Infinity, -Infinity, 0.004, -0.004];
  for (let c = -20_000; c <= 20_000; c += 3) xs.push(c / 10, c / 100, c / 1000, (c + 0.5) / 10, (c + 0.5) / 100, c / 7);
  for (let i = 0; i < 20_000; i++) xs.push((Math.random() - 0.5) * 2 * 10 ** (Math.random() * 5 - 2));
  for (const x of xs) for (const d of [0, 1, 2] as const) assert.equal(fixedText(x, d), x.toFixed(d), `${x} to ${d} digits`);
});
