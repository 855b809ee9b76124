import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ReleasebotError } from '../src/domain/errors.js';
import type { MetricsSource, Series } from '../src/metrics/source.js';
import type { SimulatedFleet } from '../src/sim/fleet.js';

/** What a contract run needs from one backend. */
export interface ContractFixture {
  source: MetricsSource;
  /** The same kind of source, pointed at a backend that is down. */
  downSource: MetricsSource;
  /** The fleet the backend's data came from, to check values end to end. */
  fleet: SimulatedFleet;
  /** Latest sample time with data, aligned to the minute; at least 8 days of history before it. */
  now: number;
  stop?(): Promise<void>;
}

const MIN = 60_000;
const DAY = 86_400_000;

/**
 * One contract suite for every MetricsSource (as Hono runs one suite against all its routers).
 * `create` returns a fixture, or `{ skip }` when the backend is not installed (the harness has
 * already printed why, and thrown instead when CI=true).
 */
export function runMetricsSourceContract(name: string, create: () => Promise<ContractFixture | { skip: string }>): void {
  describe(`MetricsSource contract: ${name}`, () => {
    let fx: ContractFixture | undefined;
    let skip: string | undefined;
    before(async () => {
      const got = await create();
      if ('skip' in got) skip = got.skip;
      else fx = got;
    });
    after(async () => fx?.stop?.());
    const it = (title: string, body: (f: ContractFixture) => Promise<void>) =>
      test(title, async (t: TestContext) => {
        if (skip) return t.skip(skip);
        await body(fx!);
      });

    it('range query returns labelled series with ascending timestamps inside the range', async ({ source, now }) => {
      const series = await source.queryRange('http_requests_rate', now - 60 * MIN, now, MIN);
      assert.ok(series.length >= 4, `expected several series, got ${series.length}`);
      for (const s of series) {
        for (const l of ['tier', 'az', 'environment']) assert.ok(s.labels[l], `label ${l} on ${JSON.stringify(s.labels)}`);
        assert.equal(s.timestamps.length, s.values.length);
        assert.ok(s.timestamps.length >= 55, `points: ${s.timestamps.length}`);
        assertAscendingWithin(s, now - 60 * MIN, now);
        assert.ok(s.values.every((v) => Number.isFinite(v) && v >= 0));
      }
    });

    it('values are the simulated fleet\'s, end to end', async ({ source, fleet, now }) => {
      const t = now - 37 * MIN;
      const [s] = await source.query('http_latency_p95_ms{environment="commercial",tier="canary",az="az2"}', t);
      const expected = fleet.valueAt({ metric: 'http_latency_p95_ms', environment: 'commercial', tier: 'canary', az: 'az2' }, t);
      assert.ok(Math.abs(s.value - expected) <= 1e-9 * expected, `${s.value} vs ${expected}`);
    });

    it('matchers filter series', async ({ source, now }) => {
      const exact = await source.queryRange('http_errors_rate{tier="production",az="az1"}', now - 10 * MIN, now, MIN);
      assert.ok(exact.length >= 1);
      for (const s of exact) assert.deepEqual([s.labels.tier, s.labels.az], ['production', 'az1']);
      const re = await source.queryRange('http_errors_rate{environment="commercial",az=~"az1|az2",tier!="canary"}', now - 10 * MIN, now, MIN);
      assert.deepEqual(re.map((s) => s.labels.az).sort(), ['az1', 'az2']);
      assert.ok(re.every((s) => s.labels.tier === 'production' && s.labels.environment === 'commercial'));
    });

    it('sum by (labels) aggregates to one series per group', async ({ source, now }) => {
      const series = await source.queryRange('sum by (tier) (http_requests_rate{environment="commercial"})', now - 10 * MIN, now, MIN);
      assert.deepEqual(series.map((s) => s.labels).sort((a, b) => a.tier.localeCompare(b.tier)), [{ tier: 'canary' }, { tier: 'production' }]);
    });

    for (const [label, ago] of [['1 day', DAY], ['7 days', 7 * DAY]] as const) {
      it(`the seasonal window ${label} ago has data`, async ({ source, now }) => {
        const end = now - ago;
        const series = await source.queryRange('http_requests_rate{tier="production"}', end - 6 * 60 * MIN, end, 5 * MIN);
        assert.ok(series.length >= 2, `series ${label} ago: ${series.length}`);
        for (const s of series) {
          assert.ok(s.values.length >= 70, `${label} ago: ${s.values.length} points`);
          assertAscendingWithin(s, end - 6 * 60 * MIN, end);
        }
      });
    }

    it('an empty result is [], not an error', async ({ source, now }) => {
      assert.deepEqual(await source.queryRange('no_such_metric_anywhere', now - 10 * MIN, now, MIN), []);
      assert.deepEqual(await source.queryRange('http_requests_rate{tier="no-such-tier"}', now - 10 * MIN, now, MIN), []);
      assert.deepEqual(await source.query('no_such_metric_anywhere', now), []);
    });

    it('a bad query is QUERY_FAILED naming the query', async ({ source, now }) => {
      const bad = 'sum(http_requests_rate{tier="canary"}';
      for (const call of [() => source.queryRange(bad, now - MIN, now, 15_000), () => source.query(bad, now)]) {
        await assert.rejects(call(), (e: unknown) => {
          assert.ok(e instanceof ReleasebotError, String(e));
          assert.equal(e.code, 'QUERY_FAILED');
          // The query is named quoted (JSON), so it stays readable when it contains spaces.
          assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
          assert.equal(e.details?.query, bad);
          return true;
        });
      }
    });

    it('a backend that is down is BACKEND_DOWN', async ({ downSource, now }) => {
      await assert.rejects(downSource.queryRange('http_requests_rate', now - MIN, now, 15_000), (e: unknown) => {
        assert.ok(e instanceof ReleasebotError, String(e));
        assert.equal(e.code, 'BACKEND_DOWN', e.message);
        return true;
      });
      assert.equal(await downSource.isOnline(), false);
    });

    it('instant query returns one labelled sample per series at the asked time', async ({ source, now }) => {
      assert.equal(await source.isOnline(), true);
      const samples = await source.query('http_requests_rate{environment="commercial"}', now);
      assert.equal(samples.length, 4);
      for (const s of samples) {
        assert.equal(s.timestamp, now);
        assert.ok(s.labels.tier && s.labels.az);
        assert.ok(Number.isFinite(s.value) && s.value > 0);
      }
    });
  });
}

function assertAscendingWithin(s: Series, from: number, to: number): void {
  for (let i = 0; i < s.timestamps.length; i++) {
    assert.ok(s.timestamps[i] >= from && s.timestamps[i] <= to, `timestamp ${s.timestamps[i]} outside [${from}, ${to}]`);
    if (i > 0) assert.ok(s.timestamps[i] > s.timestamps[i - 1], 'timestamps ascend');
  }
}
