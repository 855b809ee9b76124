import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock/clock.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { SimulatedSource } from './simulated.js';
import { WindowCache, labelKey } from './window-cache.js';
import type { MetricsSource, Series } from './source.js';
import fc from 'fast-check';

const NOW = Date.UTC(2024, 2, 5, 9, 0, 7);
const H3 = 3 * 3_600_000;
const Q = 'http_errors_rate{environment="commercial"}';

function setup() {
  const clock = new ManualClock(NOW);
  const source = new SimulatedSource({ fleet: new SimulatedFleet({ seed: 4, clock }), clock });
  return { clock, source, cache: new WindowCache({ source, stepMs: 15_000 }) };
}
const plain = (s: Series) => ({ labels: { ...s.labels }, timestamps: Array.from(s.timestamps), values: Array.from(s.values) });
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
    for (const s of got) assert.deepEqual(plain(s), plain(full.get(labelKey(s.labels))!), 'incremental window equals a fresh full fetch');
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

test('returned series are views of compact buffers, and a failed incremental fetch refills next time', async () => {
  const { clock, source, cache } = setup();
  const a = await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  assert.ok(a[0].values instanceof Float64Array, 'typed arrays, not number[]');
  assert.ok(a[0].timestamps instanceof Float64Array);
  assert.equal(a[0].values.length, 41);
  const held = cache.held().get(Q)!;
  assert.equal(held.series, 12);
  assert.equal(held.samples, 12 * 41);
  const realRange = source.queryRange.bind(source);
  source.queryRange = async () => {
    throw new Error('backend down');
  };
  await clock.advance(30_000);
  await assert.rejects(cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 }), /backend down/);
  source.queryRange = realRange;
  const before = cache.stats.fullFetches;
  await cache.get({ query: Q, nowMs: clock.now(), windowMs: 600_000 });
  assert.equal(cache.stats.fullFetches, before + 1, 'refilled instead of keeping empty slots');
});

/** A backend whose answer for any range is fixed by (series, time): some points and series come and go. */
function gappySource(seriesCount: number): MetricsSource {
  const present = (i: number, t: number) => ((i * 7919 + t / 15_000) * 2654435761) % 97 > 20 && !(i === 0 && t % 3_600_000 < 900_000);
  return {
    async queryRange(_q, start, end, step) {
      const out: Series[] = [];
      for (let i = 0; i < seriesCount; i++) {
        const ts: number[] = [];
        const vs: number[] = [];
        for (let t = start; t <= end; t += step) if (present(i, t)) (ts.push(t), vs.push(Math.sin(i + t / 1e6)));
        if (ts.length) out.push({ labels: { i: String(i) }, timestamps: ts, values: vs });
      }
      return out;
    },
    async query() {
      return [];
    },
    async isOnline() {
      return true;
    },
  };
}

/** The finite (time, value) pairs per series: the cache fills gaps inside a series with NaN, a fresh answer leaves them out. */
function finitePairs(xs: Series[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of xs) {
    const pairs: string[] = [];
    for (let k = 0; k < s.timestamps.length; k++) if (Number.isFinite(s.values[k])) pairs.push(`${s.timestamps[k]}:${s.values[k]}`);
    if (pairs.length) out.set(labelKey(s.labels), pairs.join(','));
  }
  return out;
}

test('property: after any sequence of ticks, gaps and window sizes, the cache equals a fresh fetch', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ advance: fc.integer({ min: 0, max: 5_400_000 }), window: fc.constantFrom(600_000, 1_800_000, 3_600_000) }), { minLength: 1, maxLength: 25 }),
      fc.integer({ min: 1, max: 48 }),
      async (ticks, chunkSteps) => {
        const source = gappySource(5);
        const cache = new WindowCache({ source, stepMs: 15_000, fillChunkMs: chunkSteps * 15_000, fillConcurrency: 2 });
        let now = NOW;
        for (const { advance, window } of ticks) {
          now += advance;
          const got = await cache.get({ query: 'q', nowMs: now, windowMs: window });
          const end = Math.floor(now / 15_000) * 15_000;
          const fresh = await source.queryRange('q', Math.ceil((end - window) / 15_000) * 15_000, end, 15_000);
          assert.deepEqual(finitePairs(got), finitePairs(fresh));
          for (const s of got) assert.ok(s.timestamps.length > 0 && s.timestamps[0] >= end - window && s.timestamps[s.timestamps.length - 1] <= end);
        }
      },
    ),
    { numRuns: 60 },
  );
});
