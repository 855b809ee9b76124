import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ManualClock } from '../clock/clock.js';
import { TickTiming, withinTick } from './tick-timing.js';

test('a tick longer than the interval is logged and every tick lands in the histogram on /metrics', async () => {
  const clock = new ManualClock(0);
  const lines: string[] = [];
  const timing = new TickTiming(clock, 30_000, (l) => lines.push(l));
  const registry = new Registry();
  timing.register(registry);
  await timing.time(async () => clock.set(clock.now() + 2_000), () => 'quick');
  await timing.time(async () => clock.set(clock.now() + 45_000), () => '3 deploys, 4 checks');
  assert.deepEqual(lines, ['monitor: slow tick: took 45.0 s, longer than the tick interval of 30 s (3 deploys, 4 checks)']);
  const text = await registry.metrics();
  assert.match(text, /releasebot_monitor_tick_seconds_count 2/);
  assert.match(text, /releasebot_monitor_tick_seconds_bucket\{le="30"\} 1/);
});

test('a query that does not answer within the tick fails as BACKEND_DOWN', async () => {
  const keepAlive = setTimeout(() => {}, 1000); // the tick timer itself never holds the process open
  await assert.rejects(withinTick(new Promise(() => {}), 50, 'check errors'), (e: Error & { code?: string }) => e.code === 'BACKEND_DOWN' && /check errors: no answer within the tick/.test(e.message));
  assert.equal(await withinTick(Promise.resolve(7), 50, 'x'), 7);
  clearTimeout(keepAlive);
});
