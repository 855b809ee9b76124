import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock/clock.js';
import { ReleasebotError } from '../domain/errors.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { SimulatedSource } from './simulated.js';

const NOW = Date.UTC(2024, 2, 5, 12, 0, 0);

function setup() {
  const clock = new ManualClock(NOW);
  const fleet = new SimulatedFleet({ seed: 2, clock });
  return { clock, fleet, source: new SimulatedSource({ fleet, clock }) };
}

test('selectors with matchers return labelled series on the step grid, never past now', async () => {
  const { source } = setup();
  const series = await source.queryRange('http_requests_rate{tier="canary",az=~"az[12]",environment!="gov"}', NOW - 600_000, NOW + 600_000, 30_000);
  assert.equal(series.length, 2);
  for (const s of series) {
    assert.equal(s.labels.tier, 'canary');
    assert.equal(s.labels.__name__, 'http_requests_rate');
    assert.equal(s.timestamps.length, 21, 'up to now only');
    assert.equal(s.timestamps.at(-1), NOW);
  }
  assert.deepEqual(series.map((s) => s.labels.az).sort(), ['az1', 'az2']);
});

test('sum by (...) aggregates and rate() drops the metric name', async () => {
  const { source } = setup();
  const summed = await source.queryRange('sum by (tier) (rate(http_errors_rate{environment="commercial"}[1m]))', NOW - 60_000, NOW, 15_000);
  assert.deepEqual(summed.map((s) => s.labels.tier).sort(), ['canary', 'dogfood', 'production', 'staging']);
  const perAz = await source.queryRange('rate(http_errors_rate{environment="commercial",tier="production"}[1m])', NOW - 60_000, NOW, 15_000);
  assert.equal(perAz[0].labels.__name__, undefined);
  const prod = summed.find((s) => s.labels.tier === 'production')!;
  for (let i = 0; i < prod.values.length; i++) {
    assert.ok(Math.abs(prod.values[i] - perAz.reduce((a, s) => a + s.values[i], 0)) < 1e-9);
  }
  const total = await source.query('sum(http_requests_rate)', NOW);
  assert.equal(total.length, 1);
  assert.deepEqual(total[0].labels, {});
});

test('unsupported or malformed queries fail with QUERY_FAILED naming the query', async () => {
  const { source } = setup();
  for (const q of ['http_requests_rate / 2', 'histogram_quantile(0.9, x)', 'http_requests_rate{tier=canary}', 'sum without (az) (x)', 'x{a="b"']) {
    await assert.rejects(source.queryRange(q, NOW - 60_000, NOW, 15_000), (e: unknown) => {
      assert.ok(e instanceof ReleasebotError);
      assert.equal(e.code, 'QUERY_FAILED');
      assert.ok(e.message.includes(JSON.stringify(q)), e.message);
      return true;
    });
  }
  assert.deepEqual(await source.queryRange('no_such_metric', NOW - 60_000, NOW, 15_000), []);
});

test('injected faults: backend down throws BACKEND_DOWN, no data answers []', async () => {
  const { source, clock } = setup();
  source.setFault('backend_down');
  await assert.rejects(source.query('http_requests_rate', NOW), (e: unknown) => e instanceof ReleasebotError && e.code === 'BACKEND_DOWN');
  assert.equal(await source.isOnline(), false);
  source.setFault('no_data');
  assert.deepEqual(await source.queryRange('http_requests_rate', NOW - 60_000, NOW, 15_000), []);
  source.setFault(null);
  source.scheduleFault({ kind: 'backend_down', start: NOW + 60_000, end: NOW + 120_000 });
  assert.equal(await source.isOnline(), true);
  await clock.advance(90_000);
  assert.equal(await source.isOnline(), false);
  await clock.advance(60_000);
  assert.ok((await source.query('http_requests_rate', clock.now())).length > 0);
});
