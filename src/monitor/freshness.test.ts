import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Series } from '../metrics/source.js';
import { darkSignals } from './dark.js';
import { scopeFreshness, stalenessBound } from './freshness.js';
import { gateCheckEvidence, gateRecord } from './gate.js';
import { probedNewest, probeQuery, rangeSelectors } from './sample-probe.js';
import type { SeriesPlace } from './scope.js';

const NAMES = { tier: 'tier', az: 'az', environment: 'environment' };
const STEP = 15_000;
const NOW = 1_000_000 * STEP;
const DEPLOYED = NOW - 20 * STEP;

/** A series on the step grid over [from, to]. */
function series(labels: Record<string, string>, from: number, to: number): Series {
  const timestamps: number[] = [];
  for (let t = from; t <= to; t += STEP) timestamps.push(t);
  return { labels, timestamps, values: timestamps.map(() => 1) };
}
const place = (l: Record<string, string>): SeriesPlace => (l.tier === 'canary' ? 'in' : 'reference');
const fresh = (xs: Series[], azs = ['az1', 'az2']) => scopeFreshness(xs, place, { azs, deployFinishedAt: DEPLOYED }, NOW, NAMES, { stepMs: STEP });
const start = NOW - 60 * STEP;

test('per-instance series replaced by the deploy still count as one fresh cell', () => {
  const f = fresh([
    series({ tier: 'canary', az: 'az1', instance: 'old' }, start, DEPLOYED),
    series({ tier: 'canary', az: 'az1', instance: 'new' }, DEPLOYED + STEP, NOW),
    series({ tier: 'canary', az: 'az2' }, start, NOW),
    series({ tier: 'prod', az: 'az1' }, start, NOW),
  ]);
  assert.equal(f.boundMs, 3 * STEP);
  assert.deepEqual(f.cells.map((c) => [c.labels.az, c.series, c.fresh]), [['az1', 2, true], ['az2', 1, true]]);
  assert.deepEqual(darkSignals('errors', f, DEPLOYED, NOW), []);
});

test('a cell that stopped reporting after the deploy is dark while the reference reports; absent everywhere it is not', () => {
  const canaryAz1 = series({ tier: 'canary', az: 'az1' }, start, DEPLOYED + 5 * STEP);
  const f = fresh([canaryAz1, series({ tier: 'canary', az: 'az2' }, start, NOW), series({ tier: 'prod', az: 'az1' }, start, NOW)]);
  const [dark, ...more] = darkSignals('errors', f, DEPLOYED, NOW);
  assert.equal(more.length, 0);
  assert.equal(dark.verdict.rule, 'dark');
  assert.match(dark.verdict.reason, /went dark after the deploy: tier=canary az=az1 stopped reporting \(last sample at /);
  assert.deepEqual(dark.reference, { series: 1, breaching: 0 });
  const ev = gateCheckEvidence({ check: 'errors', freshness: f, signals: [dark] }, 'tier=canary', DEPLOYED, NOW);
  assert.equal(ev.verdict, 'breach');

  const everywhere = fresh([canaryAz1, series({ tier: 'canary', az: 'az2' }, start, NOW - 10 * STEP), series({ tier: 'prod', az: 'az1' }, start, NOW - 10 * STEP)]);
  assert.deepEqual(darkSignals('errors', everywhere, DEPLOYED, NOW), []);
  const blind = gateCheckEvidence({ check: 'errors', freshness: everywhere, signals: [] }, 'tier=canary', DEPLOYED, NOW);
  assert.equal(blind.verdict, 'inconclusive');
  assert.match(blind.reason, /no fresh samples: .*az=az1.*the metrics system is at fault/);
});

test('an AZ with no series at all, and a scope that never reported, are inconclusive and say so', () => {
  const f = fresh([series({ tier: 'canary', az: 'az1' }, start, NOW), series({ tier: 'prod', az: 'az1' }, start, NOW)], ['az1', 'az3']);
  assert.deepEqual(f.missingAzs, ['az3']);
  const ev = gateCheckEvidence({ check: 'errors', freshness: f, signals: [] }, 'tier=canary az=az1|az3', DEPLOYED, NOW);
  assert.equal(ev.verdict, 'inconclusive');
  assert.match(ev.reason, /no series for az az3 in scope tier=canary az=az1\|az3: never reported/);
  const none = gateCheckEvidence({ check: 'errors', freshness: fresh([series({ tier: 'prod', az: 'az1' }, start, NOW)]), signals: [] }, 'tier=canary', DEPLOYED, NOW);
  assert.match(none.reason, /no series in scope tier=canary: never reported/);
});

test('the gate passes only with fresh data and no breach; a failed fetch is inconclusive; no checks pass and say so', () => {
  const f = fresh([series({ tier: 'canary', az: 'az1' }, start, NOW), series({ tier: 'canary', az: 'az2' }, start, NOW), series({ tier: 'prod', az: 'az1' }, start, NOW)]);
  const ok = gateCheckEvidence({ check: 'errors', freshness: f, signals: [], maxAbsZ: 1.2, threshold: 3 }, 'tier=canary', DEPLOYED, NOW);
  assert.deepEqual([ok.verdict, ok.inScopeSeries, ok.freshSeries, ok.samplesSinceDeploy, ok.newestSampleAgeMs, ok.z], ['pass', 2, 2, 40, 0, 1.2]);
  const down = gateCheckEvidence({ check: 'errors', fetchError: 'BACKEND_DOWN: refused', signals: [] }, 'tier=canary', DEPLOYED, NOW);
  assert.equal(down.verdict, 'inconclusive');
  const base = { buildId: 'b1', stage: 'canary', scope: { environment: 'e', tier: 'canary', azs: ['az1'] }, evaluatedAt: NOW, deployFinishedAt: DEPLOYED };
  assert.equal(gateRecord(base, [ok, down]).verdict, 'inconclusive');
  assert.equal(gateRecord(base, [ok]).verdict, 'pass');
  assert.match(gateRecord(base, []).reason, /no checks configured/);
});

test('the staleness bound: configured, else 3x the observed spacing, never below 3 steps', () => {
  const sparse = [series({ tier: 'canary' }, start, NOW)].map((s) => ({ ...s, timestamps: s.timestamps.filter((_, i) => i % 4 === 0), values: s.values.filter((_, i) => i % 4 === 0) }));
  assert.equal(stalenessBound(sparse, STEP), 12 * STEP);
  assert.equal(stalenessBound([], STEP), 3 * STEP);
  assert.equal(stalenessBound(sparse, STEP, 10_000), 10_000);
});

test('the sample probe finds the range selectors behind a check, and its times replace the points', () => {
  assert.deepEqual(rangeSelectors('sum by (az) (rate(app_requests_total{code=~"5..",job="a}b"}[5m])) / sum(rate(reqs[5m]))'), ['app_requests_total{code=~"5..",job="a}b"}', 'reqs']);
  assert.deepEqual(rangeSelectors('http_errors_rate'), []);
  assert.equal(probeQuery('reqs', NAMES), 'max by (environment, tier, az) (timestamp(reqs))');
  // The points say az1 is fresh (a range function outlives its samples); the raw samples stopped long ago.
  const xs = [series({ tier: 'canary', az: 'az1' }, start, NOW), series({ tier: 'prod', az: 'az1' }, start, NOW)];
  const probe = [{ labels: { environment: 'c', tier: 'canary', az: 'az1' }, newestAt: DEPLOYED + STEP }, { labels: { environment: 'c', tier: 'prod', az: 'az1' }, newestAt: NOW }];
  const f = scopeFreshness(xs, place, { azs: ['az1'], deployFinishedAt: DEPLOYED }, NOW, NAMES, { stepMs: STEP, probe });
  assert.deepEqual(f.cells.map((c) => [c.newestAt, c.fresh]), [[DEPLOYED + STEP, false]]);
  assert.equal(f.referenceFresh, 1);
  assert.equal(darkSignals('errors', f, DEPLOYED, NOW).length, 1);
  assert.equal(probedNewest(probe, { tier: 'canary' }), DEPLOYED + STEP);
  assert.equal(probedNewest(probe, { tier: 'staging' }), null);
});
