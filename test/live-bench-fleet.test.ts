import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LiveFleetExporter } from '../bench/live/exporter.js';
import { LIVE_CELLS, spike } from '../bench/live/fleet-model.js';
import { history } from '../bench/live/history.js';
import { startBenchPrometheus, type BenchPrometheus } from '../bench/live/prometheus.js';
import { findBinary, serviceMissing } from './support/prometheus-history.js';

/**
 * The machinery of `npm run bench:live` (bench/live/): a real Prometheus with promtool-backfilled
 * history scraping the live exporter. The live series must continue the history (same level as
 * the same time yesterday, no reset when the exporter starts), and a deploy step through the
 * webhook restarts exactly the share of the cell it names.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MIN = 60_000;

async function query(url: string, q: string): Promise<Map<string, number>> {
  const res = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return new Map(res.data.result.map((r) => [`${r.metric.tier}/${r.metric.az}`, Number(r.value[1])]));
}

describe('bench:live fleet: live exporter and backfilled history in a real Prometheus', () => {
  let skip: string | undefined;
  let exporter: LiveFleetExporter;
  let prom: BenchPrometheus | undefined;
  before(async () => {
    if (!findBinary('prometheus') || !findBinary('promtool')) {
      skip = serviceMissing('prometheus/promtool not installed (apt-get install prometheus)');
      return;
    }
    const now = Date.now();
    // The spike well away from now, so that "now" and "yesterday" compare like with like.
    const s = spike(Math.floor(((now + 6 * 3_600_000) % 86_400_000) / MIN));
    const h = history({ cells: LIVE_CELLS, spike: s, seed: 5, days: 1.1, endMs: Math.floor(now / MIN) * MIN });
    exporter = new LiveFleetExporter({ cells: LIVE_CELLS, spike: s, seed: 5, restartDip: 0.2, from: h.pods, stepMs: 10 });
    const target = await exporter.start();
    prom = await startBenchPrometheus(target, h, 1);
    await sleep(8000);
  });
  after(async () => {
    await prom?.stop();
    await exporter?.stop();
  });

  it('the live series continue the history: the level of yesterday at this time, counters not reset', async (t) => {
    if (skip) return t.skip(skip);
    const now = await query(prom!.url, 'sum by (tier, az) (rate(http_requests_total[3m]))');
    const yesterday = await query(prom!.url, 'sum by (tier, az) (rate(http_requests_total[3m] offset 1d))');
    for (const cell of ['production/az1', 'production/az3', 'canary/az2']) {
      const ratio = now.get(cell)! / yesterday.get(cell)!;
      // Wide enough for the weekend dip (x0.85 against a weekday) and the live start's extrapolation; a
      // reset or a doubled count would be far outside.
      assert.ok(ratio > 0.7 && ratio < 1.4, `${cell}: now ${now.get(cell)} vs yesterday ${yesterday.get(cell)}`);
    }
    const resets = await query(prom!.url, 'sum by (tier, az) (resets(http_requests_total[10m]))');
    assert.equal([...resets.values()].reduce((a, b) => a + b, 0), 0, 'no counter reset where the history ends and the exporter begins');
    const p95 = await query(prom!.url, 'histogram_quantile(0.95, sum by (le, tier, az) (rate(http_request_duration_seconds_bucket[5m])))');
    assert.ok(p95.get('production/az1')! > 0.1 && p95.get('production/az1')! < 0.3, `p95 ${p95.get('production/az1')}`);
  });

  it('a deploy step through the webhook restarts the share of the cell it names, and only that', async (t) => {
    if (skip) return t.skip(skip);
    const step = { key: 'deploy:b1:prod-10:1', kind: 'deploy', buildId: 'b1', targetBuildId: 'b1', stage: 'prod-10', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 10 };
    const res = await fetch(`http://${exporter.url}/deploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(step) });
    assert.equal(res.status, 200);
    assert.deepEqual(exporter.buildsOn('production', 'az1'), ['b1', ...Array(9).fill('baseline')]);
    const text = exporter.render();
    const ok = (pod: string) => Number(new RegExp(`http_requests_total\\{[^}]*pod="${pod}",code="200"\\} (\\d+)`).exec(text)![1]);
    assert.ok(ok('production-az1-0') < 100, `the restarted pod counts from 0 (${ok('production-az1-0')})`);
    assert.ok(ok('production-az1-1') > 10_000, 'the other pods keep counting');
    assert.equal(exporter.steps.length, 1);
  });
});
