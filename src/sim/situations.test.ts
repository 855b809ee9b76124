import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedFleet } from './fleet.js';
import type { FleetSeriesKey } from './topology.js';

const T0 = Date.UTC(2026, 5, 2, 10); // a Tuesday, 10:00 UTC
const MIN = 60_000;
const key = (metric: FleetSeriesKey['metric'], tier = 'production', az = 'az1'): FleetSeriesKey => ({ metric, tier, az, environment: 'commercial' });

function mean(f: SimulatedFleet, k: FleetSeriesKey, from: number, to: number): number {
  let s = 0;
  let n = 0;
  for (let t = from; t < to; t += 15_000, n++) s += f.valueAt(k, t);
  return s / n;
}

test('a lingering bad build: symptoms start at once and fade over lingerMs after the rollback', () => {
  const f = new SimulatedFleet({ seed: 5 });
  f.markBadBuild('bad', { metrics: ['http_latency_p95_ms'], factor: 4, lingerMs: 5 * MIN });
  const cell = { environment: 'commercial', tier: 'production', azs: ['az1'] };
  f.setDeployment({ ...cell, percent: 100, buildId: 'bad', at: T0 });
  f.rollback({ ...cell, buildId: 'bad', targetBuildId: null, at: T0 + 10 * MIN });
  const lat = key('http_latency_p95_ms');
  const before = mean(f, lat, T0 - 10 * MIN, T0);
  assert.ok(mean(f, lat, T0, T0 + MIN) / before > 3, 'onset is immediate');
  const justAfter = mean(f, lat, T0 + 10 * MIN, T0 + 11 * MIN) / before;
  const later = mean(f, lat, T0 + 13 * MIN, T0 + 14 * MIN) / before;
  assert.ok(justAfter > 2.5, `still high right after the rollback: ${justAfter}`);
  assert.ok(later < justAfter && later > 1.2, `fading: ${later}`);
  assert.ok(mean(f, lat, T0 + 16 * MIN, T0 + 20 * MIN) / before < 1.15, 'gone after lingerMs');
  // Without lingerMs the rollback ends it at once (the old behaviour).
  const g = new SimulatedFleet({ seed: 5 });
  g.markBadBuild('bad', { metrics: ['http_latency_p95_ms'], factor: 4 });
  g.setDeployment({ ...cell, percent: 100, buildId: 'bad', at: T0 });
  g.rollback({ ...cell, buildId: 'bad', targetBuildId: null, at: T0 + 10 * MIN });
  assert.ok(mean(g, lat, T0 + 10 * MIN, T0 + 11 * MIN) / before < 1.15);
});

test('restart dip: counter rates of the restarted share dip for a minute after a deploy step; latency does not', () => {
  const f = new SimulatedFleet({ seed: 6 });
  f.situations.setRestartDip({ depth: 0.1, durationMs: MIN });
  f.setDeployment({ environment: 'commercial', tier: 'production', azs: ['az1'], percent: 50, buildId: 'b1', at: T0 });
  const plain = new SimulatedFleet({ seed: 6 });
  const req = key('http_requests_rate');
  const ratio = (k: FleetSeriesKey, a: number, b: number) => mean(f, k, a, b) / mean(plain, k, a, b);
  assert.ok(Math.abs(ratio(req, T0, T0 + MIN) - 0.95) < 0.005, 'half the cell restarted: 5% dip');
  assert.equal(ratio(req, T0 + MIN, T0 + 5 * MIN), 1);
  assert.equal(ratio(req, T0 - 5 * MIN, T0), 1);
  assert.equal(ratio(key('http_latency_p95_ms'), T0, T0 + MIN), 1);
});

test('a traffic trend scales traffic (and so errors) linearly over its span, only in its scope', () => {
  const f = new SimulatedFleet({ seed: 7 });
  const plain = new SimulatedFleet({ seed: 7 });
  f.situations.addTrafficTrend({ start: T0, end: T0 + 60 * MIN, from: 1, to: 0.6, scope: { tier: 'production' } });
  const req = key('http_requests_rate');
  const at = (t: number) => f.valueAt(req, t) / plain.valueAt(req, t);
  assert.ok(Math.abs(at(T0 + 30 * MIN) - 0.8) < 0.01);
  assert.ok(Math.abs(at(T0 + 90 * MIN) - 0.6) < 0.01);
  assert.equal(at(T0 - MIN), 1);
  const canary = key('http_requests_rate', 'canary');
  assert.equal(f.valueAt(canary, T0 + 30 * MIN), plain.valueAt(canary, T0 + 30 * MIN));
});
