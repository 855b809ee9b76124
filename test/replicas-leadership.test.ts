/**
 * Leadership on PostgreSQL: every write of the leader is fenced by its lease token; a refused write
 * stops the runner at once; commands asked while no leader runs are applied by the next leader, or
 * withdrawn with 503 NO_LEADER when none answers in time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import pg from 'pg';
import { createStore } from '../src/store/create.js';
import type { Store } from '../src/store/store.js';
import { buildPayload } from './api-harness.js';
import { freshSchema, needPostgres } from './support/pg-schema.js';
import { eventually, REPLICA_TOKEN, replicaApp } from './support/replica-app.js';

const NAME = 'replicas: fencing, leadership loss and commands across a change of leader';
const auth = { authorization: `Bearer ${REPLICA_TOKEN}` };

/** Another holder takes the lease as if the current one expired (a takeover behind the leader's back). */
async function steal(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`UPDATE ${schema}.leases SET holder = 'thief', token = token + 1, expires_at = $1 WHERE name = 'pipeline'`, [Date.now() + 60_000]);
  await client.end();
}

if (await needPostgres(NAME)) {
  describe(NAME, () => {
    let schema: Awaited<ReturnType<typeof freshSchema>>;
    let store: Store;
    before(async () => {
      schema = await freshSchema();
      store = await createStore(schema.url());
    });
    after(async () => {
      await store.close();
      await schema.drop();
    });

    it('refuses every write of a fenced view once the lease moved, and says so once', async () => {
      const lease = await store.acquireLease('pipeline', 'a', 15_000, Date.now());
      assert.ok(lease);
      const lost: Error[] = [];
      const fenced = store.fenced({ lease: 'pipeline', holder: 'a', token: lease.token }, (e) => lost.push(e));
      await fenced.setKv('t', 'k', 'before');
      await steal(schema.url(), schema.schema);
      await assert.rejects(fenced.setKv('t', 'k', 'after'), /no longer the leader/);
      await assert.rejects(fenced.enqueueOutbox({ target: 'x', key: 'k', payload: {}, at: 1 }), /no longer the leader/);
      assert.equal(await store.getKv('t', 'k'), 'before', 'nothing written after the lease moved');
      assert.equal(lost.length, 2);
      await store.releaseLease('pipeline', 'thief');
      await store.acquireLease('pipeline', 'reset', 1, 0);
    });

    it('stops the runner and monitor at once when a write is refused, without waiting for the next renewal', async () => {
      const s = await freshSchema();
      const app = await replicaApp(s.url(), { lease: 30 });
      try {
        await app.start();
        await eventually(() => app.role() === 'leader', 5000, 'leader');
        const runner = app.runner;
        await steal(s.url(), s.schema);
        // A build to the (former) leader: its fenced write is refused; the caller's request goes to the inbox instead.
        const post = app.server.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('x1') });
        await eventually(() => app.role() === 'follower', 2000, 'stepped down');
        assert.equal((await post).statusCode, 201, 'the build is stored for whoever leads');
        await assert.rejects(runner.hold({ kind: 'person', id: 'late' }, 'late'), /closed|no longer the leader/);
        const decisions = await store.listDecisions();
        assert.equal(decisions.length, 0, 'the deposed leader wrote nothing');
      } finally {
        await app.close();
        await s.drop();
      }
    });

    it('applies a command stored while no leader ran once a new leader is elected; withdraws it with 503 when none answers in time', async () => {
      const s = await freshSchema();
      const st = await createStore(s.url());
      // A leader that died just now: its lease runs for 2 more seconds.
      await st.acquireLease('pipeline', 'dead-leader', 2000, Date.now());
      const impatient = await replicaApp(s.url(), { commandTimeout: 0.5 });
      await impatient.start();
      const noAnswer = await impatient.server.inject({ method: 'POST', url: '/api/actions/stop', headers: auth, payload: { reason: 'nobody there' } });
      assert.equal(noAnswer.statusCode, 503);
      assert.equal(noAnswer.json().error.code, 'NO_LEADER');
      await impatient.close();

      await st.acquireLease('pipeline', 'dead-leader', 2000, Date.now());
      const app = await replicaApp(s.url(), { commandTimeout: 10 });
      try {
        await app.start();
        assert.equal(app.role(), 'follower');
        const started = Date.now();
        const hold = await app.server.inject({ method: 'POST', url: '/api/actions/hold', headers: auth, payload: { reason: 'asked during the failover' } });
        assert.equal(hold.statusCode, 200, hold.body);
        assert.equal(app.role(), 'leader', 'this replica took over and applied its own stored command');
        assert.ok(Date.now() - started < 4000, 'answered within the lease TTL of the dead leader');
        const kinds = (await st.listDecisions()).map((d) => `${d.kind}:${d.reason}`);
        assert.ok(kinds.includes('hold:asked during the failover'));
        assert.ok(!kinds.some((k) => k.startsWith('stop')), 'the withdrawn stop was never applied');
      } finally {
        await app.close();
        await st.close();
        await s.drop();
      }
    });
  });
}

test('SQLite is one process: replicas.enabled there is a configuration error, and /readyz says single', async () => {
  await assert.rejects(replicaApp('sqlite::memory:', { enabled: true }), /replicas.enabled: true needs a PostgreSQL store/);
  const app = await replicaApp('sqlite::memory:');
  try {
    await app.start();
    assert.equal((await app.server.inject({ url: '/readyz' })).json().role, 'single');
  } finally {
    await app.close();
  }
});
