import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import { parseConfig } from '../config/load.js';
import { createApp } from './create-app.js';

const YAML = `
server: { host: 127.0.0.1, port: 0 }
store: { url: "sqlite::memory:" }
pipeline:
  tick: 5s
  stages:
    - { name: staging, environment: commercial, tier: staging, azs: [az1], percent: 100, bake: 2m }
deployer: { type: simulated, stepSeconds: 20s }
metrics: { type: simulated, seed: 1 }
checks:
  - { name: error_rate, query: http_errors_rate, direction: up, static: 20 }
notify: { console: true }
`;

const build = { id: 'b1', sha: 'a'.repeat(40), createdAt: '2024-05-01T10:00:00Z', receivedAt: '2024-05-01T10:00:01Z', pullRequests: [] };

describe('App.close', () => {
  it('stops its sleeping loops at once (the clock never moves), instead of waiting out a fallback timeout', { timeout: 10_000 }, async () => {
    const lines: string[] = [];
    const app = await createApp({ config: parseConfig(YAML, 'test.yaml', {}), clock: new ManualClock(Date.UTC(2024, 4, 1)), log: (l) => lines.push(l) });
    await app.start();
    const t0 = performance.now();
    await app.close();
    // Before the loops woke on abort, close waited a fixed 2 s for them.
    const ms = performance.now() - t0;
    assert.ok(ms < 1500, `close took ${ms.toFixed(0)} ms`);
  });

  it('drains a running deploy step: it finishes and is recorded; the outbox is delivered before the store closes', { timeout: 10_000 }, async () => {
    const lines: string[] = [];
    const clock = new ManualClock(Date.UTC(2024, 4, 1));
    const app = await createApp({ config: parseConfig(YAML, 'test.yaml', {}), clock, log: (l) => lines.push(l) });
    await app.start({ loops: false });
    await app.runner.submitBuild(build);
    await app.runner.settle();
    const closing = app.close({ drainMs: 60_000 });
    // The simulated step takes 20 s of clock time: move the clock until it ends.
    for (let i = 0; i < 25; i++) await clock.advance(1000);
    const summary = (await closing)!;
    assert.equal(summary.finished.length, 1, JSON.stringify(summary));
    assert.deepEqual(summary.handedOver, []);
    assert.ok(lines.some((l) => /deploy deploy:b1:staging\S* succeeded/.test(l)), lines.join('\n'));
    // No outbox loop ran (loops: false): the stop's own delivery pass sent the queued message.
    assert.ok(lines.some((l) => /\[deploy\] Build b1 started deploying to staging/.test(l)), lines.join('\n'));
  });
});
