import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessSignals, checkConfidence, combineConfidence, severityOf } from './assess.js';
import { signal } from './test-fixtures.js';

const W = 600_000;

test('checkConfidence: reference normal (<= 15% breaching) -> high, everywhere -> low, partly -> medium, none -> unknown', () => {
  assert.equal(checkConfidence({ series: 10, breaching: 0 }), 'high');
  assert.equal(checkConfidence({ series: 10, breaching: 5 }), 'low');
  assert.equal(checkConfidence({ series: 10, breaching: 9 }), 'low');
  assert.equal(checkConfidence({ series: 10, breaching: 2 }), 'medium');
  assert.equal(checkConfidence({ series: 20, breaching: 3 }), 'high', 'a few noisy reference series do not lower it');
  assert.equal(checkConfidence({ series: 0, breaching: 0 }), 'unknown');
  assert.equal(checkConfidence(undefined), 'unknown');
});

test('combineConfidence: unanimous high/low, otherwise medium; unknown does not vote', () => {
  assert.equal(combineConfidence(['high', 'high', 'unknown']), 'high');
  assert.equal(combineConfidence(['low', 'low']), 'low');
  assert.equal(combineConfidence(['high', 'low']), 'medium');
  assert.equal(combineConfidence(['unknown']), 'medium');
  assert.equal(combineConfidence([]), 'medium');
  // Weighted by reference size: a big reference group saying "everywhere" outweighs a tiny one saying "only here".
  assert.equal(combineConfidence([{ confidence: 'low', weight: 15 }, { confidence: 'high', weight: 3 }]), 'low');
  assert.equal(combineConfidence([{ confidence: 'low', weight: 6 }, { confidence: 'high', weight: 6 }]), 'medium');
});

test('severity table', () => {
  const rows: Array<[number, 'low' | 'medium' | 'high', boolean, string]> = [
    [0, 'high', true, 'white'],
    [1, 'high', true, 'blue'],
    [2, 'low', true, 'red'],
    [2, 'medium', true, 'red'],
    [2, 'high', false, 'siren'],
    [2, 'high', true, 'fire'],
    [3, 'high', false, 'fire'],
    [3, 'medium', true, 'red'],
  ];
  for (const [n, c, large, want] of rows) assert.equal(severityOf(n, c, large), want, `${n} checks, ${c}, large=${large}`);
  // One check, large magnitude sustained over two ticks: fire only at high confidence.
  assert.equal(severityOf(1, 'high', true, true), 'fire');
  assert.equal(severityOf(1, 'medium', true, true), 'blue');
  assert.equal(severityOf(1, 'low', true, true), 'blue');
});

test('one check: fire when a large |z| began soon after the deploy, lasted two ticks and the reference is normal, else blue', () => {
  const sustained = (z: number, since: number, ref: [number, number]) => ({ ...signal('latency', 'az1', 60_000, { z, ref }), firstAt: 60_000 - since });
  const A = (signals: ReturnType<typeof sustained>[], deployAt: number | null = 0) => assessSignals(signals, W, 3, deployAt ?? undefined);
  const fire = A([sustained(7, 30_000, [6, 0])])!;
  assert.equal(fire.severity, 'fire');
  assert.match(fire.summary, /large magnitude, sustained/);
  assert.equal(A([sustained(7, 0, [6, 0])])!.severity, 'blue', 'one tick is not sustained');
  assert.equal(A([sustained(5, 60_000, [6, 0])])!.severity, 'blue', 'not large (z < 2 x 3)');
  assert.equal(A([sustained(7, 60_000, [6, 6])])!.severity, 'blue', 'everywhere: low confidence');
  assert.equal(A([sustained(7, 60_000, [0, 0])])!.severity, 'blue', 'no reference: medium');
  assert.equal(A([sustained(7, 30_000, [6, 0])], -200_000)!.severity, 'blue', 'began more than 3 min after the deploy');
  assert.equal(A([sustained(7, 30_000, [6, 0])], null)!.severity, 'blue', 'deploy time unknown');
});

test('one check: a large |z| on a small change (1.1x the usual level) is blue, not fire: a single check rolls back only a change a person would call large', () => {
  // bench:live seed 3: a good build's staging p95 at 1.1x its usual level, |z| 6.1 on a smooth series, was rolled back as fire.
  const withLevel = (value: number, mean: number) => {
    const s = { ...signal('latency', 'az1', 60_000, { z: 7, ref: [6, 0] }), firstAt: 30_000 };
    return { ...s, verdict: { ...s.verdict, value, mean } };
  };
  const A = (s: ReturnType<typeof withLevel>) => assessSignals([s], W, 3, 0)!;
  assert.equal(A(withLevel(1.1, 1)).severity, 'blue');
  assert.equal(A(withLevel(1.4, 1)).severity, 'blue');
  assert.equal(A(withLevel(1.5, 1)).severity, 'fire', '1.5x');
  assert.equal(A(withLevel(3, 1)).severity, 'fire');
  assert.equal(A(withLevel(0.5, 1)).severity, 'fire', 'a fall to half the usual level');
  assert.equal(A(withLevel(0.8, 1)).severity, 'blue', 'a fall of 20%');
  assert.equal(A(withLevel(0.02, 0)).severity, 'fire', 'from a level of 0 any change is large');
});

test('threshold breaches alone are white; they do not count next to z-score breaches', () => {
  const white = assessSignals([signal('errors', 'az1', 0, { rule: 'static', ref: [6, 0] }), signal('latency', 'az1', 0, { rule: 'seasonal', ref: [6, 0] })], W)!;
  assert.equal(white.severity, 'white');
  assert.equal(white.confidence, 'high');
  const blue = assessSignals([signal('errors', 'az1', 0, { ref: [6, 0] }), signal('latency', 'az1', 0, { rule: 'dynamic', ref: [6, 6] })], W)!;
  assert.equal(blue.severity, 'blue');
  assert.equal(blue.confidence, 'high');
});

test('two z-score checks in scope, reference normal: siren; large z or three checks: fire', () => {
  const siren = assessSignals([signal('errors', 'az1', 0, { z: 4, ref: [6, 0] }), signal('latency', 'az2', 0, { z: 5, ref: [6, 0] })], W)!;
  assert.equal(siren.severity, 'siren');
  assert.equal(siren.large, false);
  const big = assessSignals([signal('errors', 'az1', 0, { z: 6.5, ref: [6, 0] }), signal('latency', 'az2', 0, { z: 4, ref: [6, 0] })], W)!;
  assert.equal(big.severity, 'fire');
  const three = assessSignals(['a', 'b', 'c'].map((c) => signal(c, 'az1', 0, { z: 4, ref: [6, 0] })), W)!;
  assert.equal(three.severity, 'fire');
  assert.match(three.summary, /^fire, high confidence: z-score breaches on 3 checks/);
});

test('breaching everywhere is low confidence and stays red; mixed is medium', () => {
  const everywhere = assessSignals(['a', 'b', 'c'].map((c) => signal(c, 'az1', 0, { z: 9, ref: [6, 6] })), W)!;
  assert.equal(everywhere.confidence, 'low');
  assert.equal(everywhere.severity, 'red');
  const mixed = assessSignals([signal('a', 'az1', 0, { ref: [6, 0] }), signal('b', 'az1', 0, { ref: [6, 5] })], W)!;
  assert.equal(mixed.confidence, 'medium');
  assert.equal(mixed.severity, 'red');
});

test('no reference (whole fleet runs the build): medium, so red at most', () => {
  const a = assessSignals(['a', 'b', 'c'].map((c) => signal(c, 'az1', 0, { z: 9 })), W)!;
  assert.equal(a.confidence, 'medium');
  assert.equal(a.severity, 'red');
});

test('checks breaching further apart than the grouping window do not add up', () => {
  const a = assessSignals([signal('a', 'az1', 0, { ref: [6, 0] }), signal('b', 'az1', W + 1, { ref: [6, 0] })], W)!;
  assert.equal(a.severity, 'blue');
  assert.equal(assessSignals([signal('a', 'az1', 0, { inScope: false })], W), undefined);
});
