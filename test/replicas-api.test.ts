/**
 * `serve` as replicas on one PostgreSQL store (in-process apps, real time, short lease): one leader
 * runs the pipeline, a follower serves the API with the stored state and hands state-changing
 * requests to the leader through the command inbox; the caller gets the leader's answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../src/app/create-app.js';
import { buildPayload } from './api-harness.js';
import { freshSchema, needPostgres } from './support/pg-schema.js';
import { eventually, REPLICA_TOKEN, replicaApp, slackClick } from './support/replica-app.js';
import { FakeSlack } from './support/slack-server.js';

const NAME = 'replicas: a follower serves the API and hands state changes to the leader';
const auth = { authorization: `Bearer ${REPLICA_TOKEN}` };

if (await needPostgres(NAME)) {
  describe(NAME, () => {
    let schema: Awaited<ReturnType<typeof freshSchema>>;
    const apps: App[] = [];
    let leader: App;
    let follower: App;
    let slack: FakeSlack;

    before(async () => {
      schema = await freshSchema();
      slack = await new FakeSlack().start();
      for (let i = 0; i < 2; i++) {
        const app = await replicaApp(schema.url(), { slackApiUrl: slack.url, lease: 10 }); // no failover here: a long lease keeps a loaded machine from moving leadership mid-test
        await app.start();
        apps.push(app);
      }
      await eventually(() => apps.some((a) => a.role() === 'leader'), 10_000, 'a leader');
      leader = apps.find((a) => a.role() === 'leader')!;
      follower = apps.find((a) => a !== leader)!;
    });
    after(async () => {
      for (const a of apps) await a.close();
      await slack.stop();
      await schema.drop();
    });

    it('elects exactly one leader, and /readyz says which', async () => {
      assert.equal(follower.role(), 'follower');
      const roles = await Promise.all(apps.map(async (a) => ((await a.server.inject({ url: '/readyz' })).json() as { role: string }).role));
      assert.deepEqual(roles.sort(), ['follower', 'leader']);
      assert.throws(() => follower.runner, /follower/);
    });

    it('takes in a build posted to the follower, and the follower shows the leader state', async () => {
      const res = await follower.server.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('f1') });
      assert.equal(res.statusCode, 201);
      assert.deepEqual(res.json(), { id: 'f1', result: 'created' });
      await eventually(() => leader.runner.snapshot().builds.f1, 5000, 'the leader took f1 in');
      await eventually(() => follower.pipeline.snapshot().builds.f1?.status === 'completed', 10_000, 'the follower sees f1 completed');
      const again = await follower.server.inject({ method: 'POST', url: '/api/builds', headers: auth, payload: buildPayload('f1') });
      assert.deepEqual([again.statusCode, again.json()], [200, { id: 'f1', result: 'exists' }], 'the same answer as the leader gives for a known build');
    });

    it('applies a hold asked of the follower on the leader, with the same answers and checks as on the leader', async () => {
      const anon = await follower.server.inject({ method: 'POST', url: '/api/actions/hold', payload: { reason: 'x' } });
      assert.equal(anon.statusCode, 401);
      const hold = await follower.server.inject({ method: 'POST', url: '/api/actions/hold', headers: auth, payload: { reason: 'freeze from the follower' } });
      assert.equal(hold.statusCode, 200, hold.body);
      assert.equal(leader.runner.snapshot().hold?.reason, 'freeze from the follower', 'the leader holds once the follower answered');
      const unknown = await follower.server.inject({ method: 'POST', url: '/api/actions/rollback', headers: auth, payload: { buildId: 'nope' } });
      const onLeader = await leader.server.inject({ method: 'POST', url: '/api/actions/rollback', headers: auth, payload: { buildId: 'nope' } });
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(unknown.json().error.message, onLeader.json().error.message);
      const rb = await follower.server.inject({ method: 'POST', url: '/api/actions/rollback', headers: auth, payload: { buildId: 'f1' } });
      assert.deepEqual([rb.statusCode, rb.json()], [200, { ok: true, action: 'rollback', rolledBack: true }]);
      const rb2 = await follower.server.inject({ method: 'POST', url: '/api/actions/rollback', headers: auth, payload: { buildId: 'f1' } });
      assert.deepEqual(rb2.json(), { ok: true, action: 'rollback', rolledBack: false }, 'asked twice, rolled back once');
      const resume = await follower.server.inject({ method: 'POST', url: '/api/actions/resume', headers: auth, payload: {} });
      assert.equal(resume.statusCode, 200);
      const kinds = (await leader.store.listDecisions()).filter((d) => d.actor.kind === 'person').map((d) => d.kind);
      assert.deepEqual(kinds.filter((k) => k === 'hold' || k === 'resume'), ['hold', 'resume'], 'each applied exactly once');
    });

    it('applies a Slack button clicked on the follower on the leader, after the same signature and permission checks', async () => {
      const texts = () => slack.calls.filter((c) => c.method === 'chat.postEphemeral').map((c) => String(c.body.text));
      const refused = await follower.server.inject(slackClick('pause', 'U_STRANGER', '9.1'));
      assert.equal(refused.statusCode, 200);
      await eventually(() => texts().some((t) => /not allowed to pause/.test(t)), 5000, 'the refusal told to the person');
      assert.equal(leader.runner.snapshot().hold, null, 'a user without permission changes nothing');
      const unsigned = await follower.server.inject({ ...slackClick('pause', 'U_ALLOWED', '9.2'), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(unsigned.statusCode, 401);
      const pause = await follower.server.inject(slackClick('pause', 'U_ALLOWED', '9.3'));
      assert.equal(pause.statusCode, 200, 'acknowledged at once; applied after');
      await eventually(() => leader.runner.snapshot().hold, 5000, 'the leader applied the pause');
      const hold = leader.runner.snapshot().hold;
      assert.deepEqual([hold?.kind, hold?.actor.id], ['stop', 'U_ALLOWED'], 'the leader stopped, as the person who clicked');
      const resume = await follower.server.inject(slackClick('resume', 'U_ALLOWED', '9.4'));
      assert.equal(resume.statusCode, 200);
      await eventually(() => leader.runner.snapshot().hold === null, 5000, 'the leader applied the resume');
      await eventually(() => texts().includes('Pipeline resumed.'), 5000, 'the outcome told to the person');
      assert.ok(texts().includes('Pipeline paused. Press Resume (here or in the UI) to continue.'), texts().join(' | '));
    });
  });
}
