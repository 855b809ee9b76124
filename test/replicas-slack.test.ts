/**
 * Slack buttons during a failover: Slack wants an answer within 3 s, but a follower whose leader
 * died waits up to the lease TTL for the next leader. The click is answered at once and applied
 * through the command inbox afterwards; the outcome reaches the person as an ephemeral message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStore } from '../src/store/create.js';
import { freshSchema, needPostgres } from './support/pg-schema.js';
import { eventually, replicaApp, slackClick } from './support/replica-app.js';
import { FakeSlack } from './support/slack-server.js';

const NAME = 'replicas: a Slack click during a failover';

if (await needPostgres(NAME)) {
  describe(NAME, () => {
    it('answers a click on a follower whose leader is down within 3 s, applies it once when a leader appears, and posts the outcome', async () => {
      const s = await freshSchema();
      const st = await createStore(s.url());
      const slack = await new FakeSlack().start();
      // A leader that died just now: its lease runs for 5 more seconds.
      await st.acquireLease('pipeline', 'dead-leader', 5000, Date.now());
      const app = await replicaApp(s.url(), { slackApiUrl: slack.url, commandTimeout: 20 });
      try {
        await app.start();
        assert.equal(app.role(), 'follower');
        const started = Date.now();
        const click = await app.server.inject(slackClick('pause', 'U_ALLOWED', '7.1'));
        const answeredMs = Date.now() - started;
        assert.equal(click.statusCode, 200);
        assert.ok(answeredMs < 3000, `Slack got its answer after ${answeredMs} ms (it wants one within 3 s)`);
        assert.equal(app.role(), 'follower', 'answered before any leader applied the click');
        // Slack retrying the same click is answered at once too, and not applied again.
        const retry = await app.server.inject(slackClick('pause', 'U_ALLOWED', '7.1'));
        assert.equal(retry.statusCode, 200);
        const texts = () => slack.ok('chat.postEphemeral').map((c) => String(c.body.text));
        await eventually(() => texts().includes('Pipeline paused. Press Resume (here or in the UI) to continue.'), 15_000, 'the outcome message');
        assert.equal(app.role(), 'leader', 'this replica took over and applied the stored click');
        const stops = (await st.listDecisions()).filter((d) => d.kind === 'stop');
        assert.deepEqual(stops.map((d) => d.actor.id), ['U_ALLOWED'], 'applied once, as the person who clicked');
        assert.equal(app.runner.snapshot().hold?.kind, 'stop');
        assert.ok(texts().includes('Already done.'), texts().join(' | '));
      } finally {
        await app.close();
        await slack.stop();
        await st.close();
        await s.drop();
      }
    });
  });
}
