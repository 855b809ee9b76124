import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { DeployEvent, Signal } from '../domain/events.js';
import { eventHeadline, headlineFacts } from './event-headline.js';

const sig = (over: Partial<Signal> = {}, verdict: Partial<Signal['verdict']> = {}): Signal => ({
  check: 'error_rate',
  labels: { tier: 'staging', az: 'az1' },
  inScope: true,
  at: 2_000,
  firstAt: 1_500,
  verdict: { kind: 'breach', rule: 'zscore', reason: 'ignored by headlines', value: 4.2, mean: 1, std: 0.2, z: 16, threshold: 3, ...verdict },
  reference: { series: 23, breaching: 0 },
  ...over,
});

const ev = (signals: Signal[], over: Partial<DeployEvent> = {}): DeployEvent => ({
  id: 'ev-1', buildId: 'b1003', stage: 'staging', environment: 'commercial', status: 'open', severity: 'blue', confidence: 'high',
  openedAt: 1_500, updatedAt: 2_000, signals, summary: 'raw detector text', deployAt: 1_000, ...over,
});

test('headline: what, where, how much, since when, the rest of the fleet, confidence', () => {
  assert.equal(
    eventHeadline(ev([sig()])),
    'Error rate in staging az1 is 4.2x its usual level since b1003 reached it; the other 23 series are normal: the deploy very likely caused it.',
  );
  const h = eventHeadline(ev([sig(), sig({ labels: { az: 'az2' } }, { value: 2 })], { confidence: 'low' }));
  assert.match(h, /4\.2x its usual level/, 'the strongest signal leads');
  assert.match(h, /1 more series in the deploy's scope too/);
  const sameSeries = eventHeadline(ev([sig(), sig({}, { rule: 'dynamic', value: 3, threshold: 2 })]));
  assert.doesNotMatch(sameSeries, /more series/, 'one series breaching under two rules is one series');
  assert.match(h, /probably not the deploy/);
  assert.match(eventHeadline(ev([sig({ reference: { series: 10, breaching: 4 } }, { value: 0.3 })])), /down to 30% of its usual level.*4 of the other 10 series show it too/);
  assert.match(eventHeadline(ev([sig({}, { rule: 'static', value: 12, mean: undefined, threshold: 10 })])), /is at 12, past the limit of 10/);
  assert.doesNotMatch(eventHeadline(ev([sig({ firstAt: 500 })])), /since b1003 reached it/, 'a breach older than the deploy is not said to follow it');
});

test('headline: never reads the reason text, never prints undefined or NaN', () => {
  const num = fc.option(fc.double({ noNaN: false }), { nil: undefined });
  fc.assert(
    fc.property(num, num, num, fc.string(), fc.constantFrom('low', 'medium', 'high') as fc.Arbitrary<'low' | 'medium' | 'high'>, (value, mean, threshold, reason, confidence) => {
      const h = eventHeadline(ev([sig({}, { value, mean, threshold, reason: `XX${reason}` })], { confidence }));
      assert.doesNotMatch(h, /undefined|NaN|XX/);
      assert.ok(headlineFacts(ev([sig()])));
    }),
    { numRuns: 200 },
  );
  assert.match(eventHeadline(ev([])), /no signals recorded/);
});
