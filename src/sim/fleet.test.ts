import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedFleet } from './fleet.js';
import type { FleetSeriesKey } from './topology.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 5); // a Tuesday, 00:00 UTC
const key = (metric: FleetSeriesKey['metric'], tier = 'production', az = 'az1', environment = 'commercial'): FleetSeriesKey => ({ metric, tier, az, environment });

function mean(fleet: SimulatedFleet, k: FleetSeriesKey, from: number, to: number): number {
  let s = 0;
  let n = 0;
  for (let t = from; t < to; t += 15_000, n++) s += fleet.valueAt(k, t);
  return s / n;
}

test('same seed gives the same samples, a different seed different ones', () => {
  const a = new SimulatedFleet({ seed: 7 });
  const b = new SimulatedFleet({ seed: 7 });
  const c = new SimulatedFleet({ seed: 8 });
  const k = key('http_latency_p95_ms');
  const ts = [T0, T0 + 15_000, T0 + 3 * DAY + 123_456];
  assert.deepEqual(ts.map((t) => a.valueAt(k, t)), ts.map((t) => b.valueAt(k, t)));
  assert.notDeepEqual(ts.map((t) => a.valueAt(k, t)), ts.map((t) => c.valueAt(k, t)));
  // Samples sit on a 15 s grid: any time inside a slot gives that slot's sample.
  assert.equal(a.valueAt(k, T0 + 16_000), a.valueAt(k, T0 + 29_999));
});

test('the 14:00 spike raises traffic and latency for about 20 minutes', () => {
  const f = new SimulatedFleet();
  const at = (h: number, m: number) => T0 + h * 3_600_000 + m * 60_000;
  const req = key('http_requests_rate');
  const before = mean(f, req, at(13, 30), at(13, 50));
  const during = mean(f, req, at(14, 3), at(14, 16));
  const after = mean(f, req, at(14, 30), at(14, 50));
  assert.ok(during / before > 1.4, `spike traffic ${during} vs ${before}`);
  assert.ok(after / before < 1.1, `after the spike ${after} vs ${before}`);
  const lat = key('http_latency_p95_ms');
  assert.ok(mean(f, lat, at(14, 3), at(14, 16)) / mean(f, lat, at(13, 30), at(13, 50)) > 1.25);
  // Daily seasonality: 15:00 is busier than 03:00.
  assert.ok(mean(f, req, at(15, 0), at(15, 30)) / mean(f, req, at(3, 0), at(3, 30)) > 1.8);
});

test('a bad build raises errors where it runs, in proportion to its share, and a rollback ends it', () => {
  const f = new SimulatedFleet({ seed: 3 });
  const deployAt = T0 + 10 * 3_600_000;
  f.markBadBuild('b2', { metrics: ['http_errors_rate'], factor: 6 });
  f.setDeployment({ environment: 'commercial', tier: 'production', azs: ['az1'], percent: 50, buildId: 'b2', at: deployAt });
  const err1 = key('http_errors_rate', 'production', 'az1');
  const err2 = key('http_errors_rate', 'production', 'az2');
  const hour = 3_600_000;
  const before = mean(f, err1, deployAt - hour, deployAt);
  const after = mean(f, err1, deployAt, deployAt + hour);
  // 50% of the cell at 6x: 1 + 5 * 0.5 = 3.5x.
  assert.ok(after / before > 3 && after / before < 4, `ratio ${after / before}`);
  // Visible within a minute: the first minute already shows it.
  assert.ok(mean(f, err1, deployAt, deployAt + 60_000) / before > 2.5);
  const other = mean(f, err2, deployAt, deployAt + hour) / mean(f, err2, deployAt - hour, deployAt);
  assert.ok(other < 1.2, `az2 untouched: ${other}`);
  assert.deepEqual(f.buildShares({ environment: 'commercial', tier: 'production', az: 'az1' }, deployAt), { baseline: 0.5, b2: 0.5 });

  f.rollback({ environment: 'commercial', tier: 'production', azs: ['az1'], buildId: 'b2', targetBuildId: null, at: deployAt + hour });
  const rolledBack = mean(f, err1, deployAt + hour, deployAt + 2 * hour);
  assert.ok(rolledBack / before < 1.3, `after rollback ${rolledBack} vs ${before}`);
  assert.throws(() => f.setDeployment({ environment: 'commercial', tier: 'nope', azs: ['az1'], percent: 10, buildId: 'x', at: 0 }), /no cell/);
});

test('an outside incident hits every tier and AZ during its window only', () => {
  const f = new SimulatedFleet();
  const start = T0 + 5 * 3_600_000;
  f.addIncident({ start, end: start + 600_000, metrics: ['http_latency_p95_ms'], factor: 2 });
  for (const tier of ['staging', 'canary', 'production']) {
    const k = key('http_latency_p95_ms', tier, 'az3', 'gov');
    const ratio = mean(f, k, start, start + 600_000) / mean(f, k, start - 600_000, start);
    assert.ok(ratio > 1.6, `${tier}: ${ratio}`);
  }
});

test('low-traffic series are mostly zeros with occasional counts', () => {
  const f = new SimulatedFleet();
  const k = key('jobs_failed_rate', 'staging', 'az1', 'gov');
  let zeros = 0;
  let nonzero = 0;
  for (let t = T0; t < T0 + DAY; t += 15_000) (f.valueAt(k, t) === 0 ? zeros++ : nonzero++);
  assert.ok(zeros > 0.95 * (zeros + nonzero), `zeros ${zeros} nonzero ${nonzero}`);
  const busy = key('jobs_failed_rate', 'production', 'az1', 'commercial');
  let any = 0;
  for (let t = T0; t < T0 + DAY; t += 15_000) if (f.valueAt(busy, t) > 0) any++;
  assert.ok(any > 100, `production job failures ${any}`);
});
