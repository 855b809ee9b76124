import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock/clock.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { SimulatedSource } from './simulated.js';
import { WindowCache, labelKey } from './window-cache.js';
import type { Series } from './source.js';

const NOW = Date.UTC(2024, 2, 5, 9, 0, 7);
const H3 = 3 * 3_600_000;
const Q = 'http_errors_rate{environment="commercial"}';

function setup() {
  const clock = new ManualClock(NOW);
  const source = new SimulatedSource({ fleet: new SimulatedFleet({ seed: 4, clock }), clock });
  return { clock, source, cache: new WindowCache({ source, stepMs: 15_000 }) };
}
const byKey = (xs: Series[]) => new Map(xs.map((s) => [labelKey(s.labels), s]));

test('first use fills the window; later ticks fetch only new samples and match a full fetch', async () => {
  const { clock, source, cache } = setup();
  const first = await cache.get({ query: Q, nowMs: clock.now(), windowMs: H3 });
  assert.equal(first.length, 12);
  assert.equal(first[0].values.length, 721);
  assert.equal(cache.stats.fullFetches, 1);
  const afterFill = cache.stats.samplesFetched;
  for (let i = 0; i < 10; i++) {
    await clock.advance(30_000);
    const got = await cache.get({ query: Q, nowMs: clock.now(), windowMs: H3 });
    const end = Math.floor(clock.now() / 15_000) * 15_000;
    const full = byKey(await source.queryRange(Q, end - H3, end, 15_000));
    assert.equal(got.length, full.size);
    for (const s of got) assert.deepEqual(s, full.get(labelKey(s.labels)), 'incremental window equals a fresh full fetch');
  }
  assert.equal(cache.stats.fullFetches, 1);
  assert.equal(cache.stats.incrementalFetches, 10);
  // 2 new samples + 4 overlap samples (60 s) per series per tick, not 721.
  assert.equal((cache.stats.samplesFetched - afterFill) / 10 / 12, 6);
});

test('a gap longer than the window, a clear (restart) or a different offset refills', async () => {
  const { clock, cache } = setup();
  await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  await clock.advance(700_000);
  await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  assert.equal(cache.stats.fullFetches, 2);
  cache.clear();
  await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  assert.equal(cache.stats.fullFetches, 3);
  const dayAgo = await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000, offsetMs: 86_400_000 });
  assert.equal(cache.stats.fullFetches, 4);
  assert.ok(dayAgo[0].timestamps.at(-1)! <= clock.now() - 86_400_000);
});

test('returned series are copies: callers cannot corrupt the cache', async () => {
  const { clock, cache } = setup();
  const a = await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  a[0].values.fill(-1);
  const b = await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  assert.ok(b[0].values.every((v) => v >= 0));
});
