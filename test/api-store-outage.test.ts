import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock/clock.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { SimulatedDeployer } from '../src/pipeline/simulated-deployer.js';
import { buildServer, type ReleasebotServer } from '../src/server/app.js';
import { createStore } from '../src/store/create.js';
import type { Store } from '../src/store/store.js';
import { API_TOKEN, buildPayload, serverConfig, TEST_STAGES } from './api-harness.js';
import { freshSchema, needPostgres } from './support/pg-schema.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const NAME = 'a PostgreSQL outage during a step (store behind a cuttable proxy)';

async function yieldMany(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

if (await needPostgres(NAME)) {
  describe(NAME, () => {
    let proxy: TcpProxy;
    let schema: Awaited<ReturnType<typeof freshSchema>>;
    let store: Store;
    let runner: PipelineRunner;
    let app: ReleasebotServer;
    const clock = new ManualClock(Date.parse('2024-05-01T10:00:00Z'));
    let online = true;

    const advance = async (ms: number) => {
      for (let left = ms; left > 0; left -= 1000) {
        await clock.advance(1000);
        await yieldMany();
        await runner.tick().catch(() => undefined);
        await yieldMany();
      }
    };
    const post = (id: string) => app.inject({ method: 'POST', url: '/api/builds', headers: { authorization: `Bearer ${API_TOKEN}` }, payload: buildPayload(id) });

    before(async () => {
      schema = await freshSchema();
      proxy = await startTcpProxy('127.0.0.1', Number(new URL(schema.url()).port || 5432));
      store = await createStore(schema.url(proxy.port));
      runner = new PipelineRunner({ store, deployer: new SimulatedDeployer({ clock, stepSeconds: 10 }), clock, stages: TEST_STAGES, retry: { retries: 2, backoffSeconds: 5 } });
      await runner.start({ loop: false });
      app = buildServer({ config: serverConfig(), store, pipeline: runner, clock, heartbeatMs: 200, metricsOnline: async () => online });
      await app.ready();
    });
    after(async () => {
      await app.close();
      await runner.close();
      await proxy.restore().catch(() => undefined);
      await store.close();
      await proxy.close();
      await schema.drop();
    });

    it('keeps the step result, answers 503 with the documented body, and reports it in /healthz and /readyz', async () => {
      assert.equal((await post('b1')).statusCode, 201);
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      await proxy.cut();
      await advance(13_000); // the 10 s step ends during the outage
      const r = await post('b2');
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, 'STORE_FAILED');
      assert.match(r.json().error.message, /store unavailable/);
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.equal(ready.json().error.code, 'STORE_FAILED');
      const live = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(live.statusCode, 200, 'a store outage is no reason to restart the bot');
      assert.equal(live.json().store.ok, false);
      assert.equal(live.json().pendingResults, 1, 'the finished step waits to be recorded');
      assert.equal(runner.snapshot().slots[0].phase, 'deploying');

      await proxy.restore();
      await advance(3000);
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      assert.equal(runner.status().pendingResults, 0);
      assert.equal(runner.snapshot().slots[0].phase, 'baking', 'the kept result was recorded: b1 bakes');
      assert.equal((await post('b2')).statusCode, 201);
    });

    it('is not ready while the metrics backend does not answer', async () => {
      online = false;
      const r = await app.inject({ method: 'GET', url: '/readyz' });
      online = true;
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, 'BACKEND_DOWN');
    });
  });
}
