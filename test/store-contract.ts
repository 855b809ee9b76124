import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../src/store/store.js';
import type { Build } from '../src/domain/build.js';
import type { Decision, DeployStep } from '../src/domain/pipeline.js';
import type { DeployEvent } from '../src/domain/events.js';
import type { GateRecord } from '../src/domain/gate.js';
import { ReleasebotError } from '../src/domain/errors.js';

/** A database for one test: `open` may be called several times and always reaches the same data. */
export interface StoreHarness {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

const T0 = 1_700_000_000_000;

function build(id: string, n = 1): Build {
  return {
    id,
    sha: `sha-${id}`,
    createdAt: new Date(T0 + n * 1000).toISOString(),
    receivedAt: new Date(T0 + n * 1000 + 5).toISOString(),
    ciUrl: `https://ci.example.com/${id}`,
    pullRequests: [{ number: n, title: `PR ${n}`, url: `https://git.example.com/pr/${n}`, authorName: 'ana', authorSlackId: 'U1', codeOwners: ['@team-a'] }],
  };
}

function decision(id: string, at: number, buildId?: string): Decision {
  return { id, at, kind: 'promote', actor: { kind: 'bot', id: 'orchestrator' }, reason: `because ${id}`, buildId, stage: 'canary', evidence: { n: at } };
}

function step(key: string, buildId: string, startedAt: number, extra: Partial<DeployStep> = {}): DeployStep {
  return { key, buildId, stage: 'canary', kind: 'deploy', targetBuildId: buildId, startedAt, attempts: 1, ...extra };
}

function event(id: string, buildId: string, openedAt: number, status: 'open' | 'closed' = 'open'): DeployEvent {
  return {
    id, buildId, stage: 'canary', environment: 'commercial', status, severity: 'blue', confidence: 'low',
    openedAt, updatedAt: openedAt, signals: [], summary: `event ${id}`,
  };
}

/**
 * The Store contract, run against every implementation (SQLite, PostgreSQL).
 * `create` returns a fresh, empty database for each test.
 */
export function runStoreContract(name: string, create: () => Promise<StoreHarness>): void {
  /** Runs `fn` on a freshly opened store and always cleans up. */
  async function withStore(fn: (s: Store, h: StoreHarness) => Promise<void>): Promise<void> {
    const h = await create();
    const s = await h.open();
    try {
      await fn(s, h);
    } finally {
      await s.close().catch(() => undefined);
      await h.dispose();
    }
  }

  describe(`Store contract: ${name}`, () => {
    it('putBuild is idempotent and round-trips the build', () =>
      withStore(async (s) => {
        assert.equal(await s.putBuild(build('b1', 1)), 'created');
        const changed = { ...build('b1', 1), sha: 'other' };
        assert.equal(await s.putBuild(changed), 'exists');
        assert.deepEqual(await s.getBuild('b1'), build('b1', 1));
        assert.equal(await s.getBuild('nope'), undefined);
        await s.putBuild(build('b2', 2));
        await s.putBuild(build('b3', 3));
        assert.deepEqual((await s.listBuilds()).map((b) => b.id), ['b3', 'b2', 'b1']);
        assert.deepEqual((await s.listBuilds({ limit: 2 })).map((b) => b.id), ['b3', 'b2']);
      }));

    it('state snapshots carry versions and reject stale writers with CONFLICT', () =>
      withStore(async (s) => {
        assert.equal(await s.loadState(), undefined);
        assert.equal(await s.saveState({ stages: [1] }, 0), 1);
        await assert.rejects(s.saveState({ stages: [9] }, 0), (e: unknown) => e instanceof ReleasebotError && e.code === 'CONFLICT');
        assert.equal(await s.saveState({ stages: [2] }, 1), 2);
        await assert.rejects(s.saveState({ stages: [3] }, 1), (e: unknown) => e instanceof ReleasebotError && e.code === 'CONFLICT');
        assert.deepEqual(await s.loadState(), { version: 2, state: { stages: [2] } });
        // Two writers racing from the same version: exactly one wins.
        const results = await Promise.allSettled([s.saveState({ w: 'a' }, 2), s.saveState({ w: 'b' }, 2)]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        assert.equal((await s.loadState())?.version, 3);
      }));

    it('decisions are idempotent on id, oldest first, filterable, limit keeps the newest', () =>
      withStore(async (s) => {
        await s.appendDecision(decision('d2', T0 + 2000.5, 'b1'));
        await s.appendDecision(decision('d1', T0 + 1000, 'b1'));
        await s.appendDecision(decision('d3', T0 + 3000, 'b2'));
        await s.appendDecision({ ...decision('d1', T0 + 9999, 'b9'), reason: 'changed' });
        const all = await s.listDecisions();
        assert.deepEqual(all.map((d) => d.id), ['d1', 'd2', 'd3']);
        assert.deepEqual(all[0], decision('d1', T0 + 1000, 'b1'));
        assert.equal(all[1].at, T0 + 2000.5, 'fractional milliseconds survive');
        assert.deepEqual((await s.listDecisions({ buildId: 'b1' })).map((d) => d.id), ['d1', 'd2']);
        assert.deepEqual((await s.listDecisions({ limit: 2 })).map((d) => d.id), ['d2', 'd3']);
      }));

    it('deploy steps upsert by key and list in start order', () =>
      withStore(async (s) => {
        await s.upsertStep(step('k2', 'b1', T0 + 20));
        await s.upsertStep(step('k1', 'b1', T0 + 10));
        await s.upsertStep(step('k3', 'b2', T0 + 30));
        await s.upsertStep(step('k1', 'b1', T0 + 10, { endedAt: T0 + 15, outcome: 'succeeded', attempts: 2 }));
        const steps = await s.listSteps();
        assert.deepEqual(steps.map((x) => x.key), ['k1', 'k2', 'k3']);
        assert.deepEqual(steps[0], step('k1', 'b1', T0 + 10, { endedAt: T0 + 15, outcome: 'succeeded', attempts: 2 }));
        assert.deepEqual((await s.listSteps({ buildId: 'b2' })).map((x) => x.key), ['k3']);
        assert.deepEqual((await s.listSteps({ limit: 1 })).map((x) => x.key), ['k3']);
      }));

    it('events upsert by id and filter by status and build, newest first', () =>
      withStore(async (s) => {
        await s.upsertEvent(event('e1', 'b1', T0 + 1));
        await s.upsertEvent(event('e2', 'b1', T0 + 2));
        await s.upsertEvent(event('e3', 'b2', T0 + 3));
        await s.upsertEvent({ ...event('e1', 'b1', T0 + 1, 'closed'), closedAt: T0 + 50, severity: 'red' });
        assert.equal((await s.getEvent('e1'))?.severity, 'red');
        assert.equal(await s.getEvent('missing'), undefined);
        assert.deepEqual((await s.listEvents()).map((e) => e.id), ['e3', 'e2', 'e1']);
        assert.deepEqual((await s.listEvents({ status: 'open' })).map((e) => e.id), ['e3', 'e2']);
        assert.deepEqual((await s.listEvents({ status: 'closed' })).map((e) => e.id), ['e1']);
        assert.deepEqual((await s.listEvents({ buildId: 'b1', status: 'open' })).map((e) => e.id), ['e2']);
        assert.deepEqual((await s.listEvents({ limit: 1 })).map((e) => e.id), ['e3']);
      }));

    it('outbox: idempotent enqueue, due order, retry, sent and dead entries leave the queue', () =>
      withStore(async (s) => {
        assert.equal(await s.enqueueOutbox({ target: 'slack', key: 'k1', payload: { text: 'one' }, at: T0 + 10 }), true);
        assert.equal(await s.enqueueOutbox({ target: 'slack', key: 'k1', payload: { text: 'dup' }, at: T0 }), false);
        assert.equal(await s.enqueueOutbox({ target: 'pagerduty', key: 'k1', payload: { text: 'pd' }, at: T0 + 5 }), true);
        assert.equal(await s.enqueueOutbox({ target: 'slack', key: 'k2', payload: { text: 'later' }, at: T0 + 100 }), true);
        assert.deepEqual(await s.dueOutbox(T0, 10), []);
        const due = await s.dueOutbox(T0 + 10, 10);
        assert.deepEqual(due.map((e) => [e.target, e.key]), [['pagerduty', 'k1'], ['slack', 'k1']]);
        const slack1 = due[1];
        assert.deepEqual(slack1.payload, { text: 'one' });
        assert.equal(slack1.status, 'pending');
        assert.equal(slack1.attempts, 0);
        assert.equal((await s.dueOutbox(T0 + 10, 1)).length, 1, 'limit applies');

        await s.markOutboxFailed(slack1.id, 'rate limited', T0 + 60);
        let now = await s.dueOutbox(T0 + 59, 10);
        assert.deepEqual(now.map((e) => e.key + '@' + e.target), ['k1@pagerduty']);
        now = await s.dueOutbox(T0 + 60, 10);
        const retried = now.find((e) => e.id === slack1.id);
        assert.equal(retried?.attempts, 1);
        assert.equal(retried?.lastError, 'rate limited');
        assert.equal(retried?.nextAttemptAt, T0 + 60);

        await s.markOutboxSent(due[0].id);
        await s.markOutboxFailed(slack1.id, 'channel_not_found', null);
        assert.deepEqual((await s.dueOutbox(T0 + 1e9, 10)).map((e) => e.key), ['k2']);
        // A dead entry is never re-enqueued by the same key: the key stays taken.
        assert.equal(await s.enqueueOutbox({ target: 'slack', key: 'k1', payload: {}, at: T0 }), false);
      }));

    it('kv: set, overwrite, namespaces, and setKvIfAbsent lets exactly one concurrent caller win', () =>
      withStore(async (s) => {
        assert.equal(await s.getKv('slack-ts', 'e1'), undefined);
        await s.setKv('slack-ts', 'e1', '1.0001');
        await s.setKv('slack-ts', 'e1', '1.0002');
        assert.equal(await s.getKv('slack-ts', 'e1'), '1.0002');
        assert.equal(await s.getKv('dm', 'e1'), undefined);
        assert.equal(await s.setKvIfAbsent('slack-ts', 'e1', 'x'), false);
        assert.equal(await s.getKv('slack-ts', 'e1'), '1.0002');
        for (let i = 0; i < 5; i++) {
          const results = await Promise.all([
            s.setKvIfAbsent('rollback-once', `b${i}`, 'alice'),
            s.setKvIfAbsent('rollback-once', `b${i}`, 'bob'),
          ]);
          assert.equal(results.filter(Boolean).length, 1, `round ${i}: exactly one caller wins`);
          const winner = results[0] ? 'alice' : 'bob';
          assert.equal(await s.getKv('rollback-once', `b${i}`), winner);
        }
      }));

    it('gate records are idempotent on id, oldest first, filterable by build, limit keeps the newest', () =>
      withStore(async (s) => {
        const rec = (buildId: string, at: number, verdict: GateRecord['verdict']): GateRecord => ({
          id: `gate:${buildId}:canary:${at}`, buildId, stage: 'canary', scope: { environment: 'commercial', tier: 'canary', azs: ['az1'] },
          verdict, reason: `${verdict} at ${at}`, evaluatedAt: at, deployFinishedAt: at - 60_000, bakeEndedAt: at - 1000,
          checks: [{ check: 'errors', verdict, reason: 'r', inScopeSeries: 1, freshSeries: 1, samplesSinceDeploy: 4, newestSampleAt: at - 5000, newestSampleAgeMs: 5000, stalenessBoundMs: 45_000, z: 0.5, threshold: 3 }],
        });
        await s.putGateRecord(rec('b1', T0 + 2, 'pass'));
        await s.putGateRecord(rec('b1', T0 + 1, 'inconclusive'));
        await s.putGateRecord(rec('b2', T0 + 3, 'breach'));
        await s.putGateRecord({ ...rec('b1', T0 + 2, 'pass'), reason: 'changed' });
        assert.deepEqual((await s.listGateRecords({ buildId: 'b1' })).map((g) => [g.verdict, g.reason]), [['inconclusive', `inconclusive at ${T0 + 1}`], ['pass', `pass at ${T0 + 2}`]]);
        assert.deepEqual((await s.listGateRecords({ limit: 2 })).map((g) => g.buildId), ['b1', 'b2']);
        assert.deepEqual(await s.getGateRecord(`gate:b2:canary:${T0 + 3}`), rec('b2', T0 + 3, 'breach'));
        assert.equal(await s.getGateRecord('nope'), undefined);
      }));

    it('audit entries round-trip, newest first', () =>
      withStore(async (s) => {
        await s.appendAudit({ at: T0 + 1, actor: 'U1', action: 'rollback', target: 'b1', allowed: true, detail: { via: 'slack' } });
        await s.appendAudit({ at: T0 + 2, actor: 'U2', action: 'resume', allowed: false });
        const list = await s.listAudit();
        assert.deepEqual(list, [
          { at: T0 + 2, actor: 'U2', action: 'resume', allowed: false },
          { at: T0 + 1, actor: 'U1', action: 'rollback', target: 'b1', allowed: true, detail: { via: 'slack' } },
        ]);
        assert.equal((await s.listAudit({ limit: 1 })).length, 1);
      }));

    it('everything persists across close and reopen; migrate is idempotent', () =>
      withStore(async (s, h) => {
        await s.putBuild(build('b1'));
        await s.saveState({ hello: 'world' }, 0);
        await s.appendDecision(decision('d1', T0, 'b1'));
        await s.upsertStep(step('k1', 'b1', T0));
        await s.upsertEvent(event('e1', 'b1', T0));
        await s.enqueueOutbox({ target: 'slack', key: 'k', payload: [1, 2], at: T0 });
        await s.setKv('ns', 'k', 'v');
        await s.appendAudit({ at: T0, actor: 'a', action: 'x', allowed: true });
        await s.close();
        const r = await h.open();
        try {
          await r.migrate();
          assert.equal((await r.getBuild('b1'))?.sha, 'sha-b1');
          assert.deepEqual(await r.loadState(), { version: 1, state: { hello: 'world' } });
          assert.equal((await r.listDecisions()).length, 1);
          assert.equal((await r.listSteps()).length, 1);
          assert.equal((await r.getEvent('e1'))?.id, 'e1');
          assert.deepEqual((await r.dueOutbox(T0, 10)).map((e) => e.payload), [[1, 2]]);
          assert.equal(await r.getKv('ns', 'k'), 'v');
          assert.equal((await r.listAudit()).length, 1);
        } finally {
          await r.close();
        }
      }));
  });
}
