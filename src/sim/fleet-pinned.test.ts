import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock/clock.js';
import { markCrashingBuild } from './faults.js';
import { SimulatedFleet } from './fleet.js';

/*
 * Pins sample values of a fleet with every feature in play (bad builds with and without linger,
 * restart dips, a traffic trend, an incident, a crashing build's silence). The expected numbers were
 * taken from the fleet before its per-sample path was made cheaper: the fleet is a pure function of
 * its inputs, and backfilled Prometheus histories, demo runs and benchmarks depend on it giving the
 * same values bit for bit. A change here changes every recorded figure; do it on purpose only.
 */

const T0 = Date.UTC(2024, 2, 5, 13, 50, 0);
const MIN = 60_000;

function scenario(): SimulatedFleet {
  const f = new SimulatedFleet({ seed: 7, clock: new ManualClock(T0) });
  f.situations.setRestartDip({ depth: 0.08, durationMs: MIN });
  f.situations.addTrafficTrend({ start: T0, end: T0 + 60 * MIN, from: 1, to: 0.5, scope: { tier: 'canary' } });
  f.markBadBuild('b2', { metrics: ['http_errors_rate', 'http_latency_p95_ms'], factor: 5, lingerMs: 5 * MIN });
  f.markBadBuild('b3', { factor: 3 });
  markCrashingBuild(f, 'b4');
  f.addIncident({ start: T0 + 20 * MIN, end: T0 + 30 * MIN, metrics: ['http_latency_p95_ms'], factor: 2, scope: { az: 'az2' } });
  f.setDeployment({ environment: 'commercial', tier: 'canary', azs: ['az1', 'az2'], percent: 10, buildId: 'b2', at: T0 + 2 * MIN });
  f.setDeployment({ environment: 'commercial', tier: 'canary', azs: ['az1', 'az2'], percent: 50, buildId: 'b2', at: T0 + 6 * MIN });
  f.rollback({ environment: 'commercial', tier: 'canary', azs: ['az1'], buildId: 'b2', targetBuildId: null, at: T0 + 9 * MIN });
  f.setDeployment({ environment: 'commercial', tier: 'canary', azs: ['az3'], percent: 30, buildId: 'b3', at: T0 + 4 * MIN });
  f.setDeployment({ environment: 'gov', tier: 'canary', azs: ['az1'], percent: 60, buildId: 'b4', at: T0 + 5 * MIN });
  return f;
}

const TIMES = [0, 2, 2.25, 3, 6.5, 7, 9, 9.25, 10, 12, 14.5, 22, 31].map((m) => T0 + m * MIN + 7_000);

/** metric|environment|az of tier canary -> samples at TIMES (NaN: the cell did not report). */
const PINNED: Record<string, number[]> = {
  'http_requests_rate|commercial|az1': [84.10344981851206,77.13393633679391,79.88788840452528,77.46538800450402,71.48506007276394,77.86921845618075,73.88187806395626,70.3325929571609,71.67767866435278,111.34778679416993,114.15732219598375,103.28354018727748,59.437730282379114],
  'http_requests_rate|gov|az1': [16.220459382600126,16.038019322121606,15.222541160058586,15.927958164331438,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN],
  'http_errors_rate|commercial|az1': [0.26666666666666666,0.8,0.4,0.6666666666666666,0.9333333333333333,0.9333333333333333,1.0666666666666667,0.6,0.6666666666666666,0.7333333333333333,0.4,0.26666666666666666,0.4],
  'http_latency_p95_ms|commercial|az2': [128.2218874781851,157.51984116800185,182.22407563730346,185.79534884699464,343.83175598869803,388.81785857160844,360.41864206065816,357.37298258276417,372.2586776369857,535.7147870356524,562.6793924714284,1081.454932199817,393.4162774675409],
  'jobs_failed_rate|gov|az1': [0,0,0,0,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN],
};

function keyOf(id: string) {
  const [metric, environment, az] = id.split('|');
  return { metric: metric as 'http_requests_rate', environment, tier: 'canary', az };
}

test('pinned samples: valueAt (with reports) gives the recorded values bit for bit', () => {
  const f = scenario();
  for (const [id, expected] of Object.entries(PINNED)) {
    const key = keyOf(id);
    assert.deepEqual(TIMES.map((t) => (f.reports(key, t) ? f.valueAt(key, t) : NaN)), expected, id);
  }
});

test('pinned samples: valuesAt (the range-query path) gives the same values as valueAt', () => {
  const f = scenario();
  for (const [id, expected] of Object.entries(PINNED)) assert.deepEqual(f.valuesAt(keyOf(id), TIMES), expected, id);
  // Every series over a dense grid across the deploys, rollback and linger: the two paths agree.
  const dense: number[] = [];
  for (let t = T0; t < T0 + 40 * MIN; t += 5_000) dense.push(t);
  for (const key of f.series()) {
    assert.deepEqual(f.valuesAt(key, dense), dense.map((t) => (f.reports(key, t) ? f.valueAt(key, t) : NaN)), `${key.metric} ${key.environment}/${key.tier}/${key.az}`);
  }
});
