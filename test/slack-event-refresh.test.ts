import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { FakeSlack, type SlackCall } from './support/slack-server.js';
import { build, event, signal } from './support/slack-fixtures.js';
import { ManualClock } from '../src/clock/clock.js';
import type { Build } from '../src/domain/build.js';
import type { StageDef } from '../src/domain/pipeline.js';
import { watchPipelineForEvents } from '../src/notify/event-refresh.js';
import { Outbox } from '../src/notify/outbox.js';
import { ACTION_IDS } from '../src/notify/slack-blocks.js';
import { createSlackClient, SlackNotifier } from '../src/notify/slack.js';
import { PipelineRunner } from '../src/pipeline/runner.js';
import { SimulatedDeployer } from '../src/pipeline/simulated-deployer.js';
import { registerSlackActions } from '../src/server/slack-actions.js';
import { computeSlackSignature } from '../src/server/slack-signature.js';
import { createStore } from '../src/store/create.js';

let slack: FakeSlack;
before(async () => {
  slack = await new FakeSlack().start();
  slack.usersByEmail.set('bob@example.com', 'UBOB');
});
after(() => slack.stop());

/** Thread replies per signal series (the bold check name plus its labels), from every post under `parentTs`. */
function repliesPerSeries(posts: SlackCall[], parentTs: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of posts.filter((c) => c.body.thread_ts === parentTs)) {
    const m = /• \*(\w+)\*(\{[^}]*\})/.exec(String(p.body.text));
    if (!m) continue;
    out.set(m[1] + m[2], (out.get(m[1] + m[2]) ?? 0) + 1);
  }
  return out;
}

test('every signal is shown exactly once per thread across event changes (refreshed times, acks, escalation, close)', async () => {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const notifier = new SlackNotifier({ client: createSlackClient({ token: 'x', apiUrl: slack.url }), store, deploysChannel: 'C_DEPLOYS' });
  // 12 series: the parent lists 10, the thread carries the other 2 and later newcomers.
  const series = (at: number) => Array.from({ length: 12 }, (_, i) => signal('error_rate', at, { labels: { tier: 'canary', az: `az${i}` } }));
  const revisions = [
    event(series(10), { updatedAt: 10, revision: 1 }),
    // The monitor refreshes `at` and the numbers of the same series every tick.
    event(series(20).map((s) => ({ ...s, verdict: { ...s.verdict, value: 6.1, z: 15 } })), { updatedAt: 20, revision: 2 }),
    // Someone acknowledged: the same signals again.
    event(series(25), { updatedAt: 25, acknowledgedBy: 'UACK' }),
    // A new series on another check, and an escalation.
    event([...series(30), signal('latency_p99', 30)], { updatedAt: 30, revision: 3, severity: 'fire' }),
    event([...series(40), signal('latency_p99', 40)], { updatedAt: 40, revision: 4, status: 'closed', closedAt: 40 }),
  ];
  for (const [i, e] of revisions.entries()) await notifier.post({ type: 'event', key: `k${i}`, event: e, shadow: false });
  const parentTs = JSON.parse((await store.getKv('slack-event', 'ev-1'))!).ts as string;
  const counts = repliesPerSeries(slack.ok('chat.postMessage'), parentTs);
  assert.deepEqual([...counts.values()], [1, 1, 1], `three series threaded, each once: ${JSON.stringify([...counts])}`);
  assert.ok(counts.has('latency_p99{tier="canary", az="us-east-1a"}'.replace('tier="canary", az="us-east-1a"', 'az="us-east-1a", tier="canary"')));
  assert.equal(slack.ok('chat.postMessage').filter((c) => c.body.thread_ts === undefined).length, 1, 'one parent');
  await store.close();
});

test('an author without a Slack account is looked up once, not on every step; a stopped build is never "going out"', async () => {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const notifier = new SlackNotifier({ client: createSlackClient({ token: 'x', apiUrl: slack.url }), store, deploysChannel: 'C', clock: new ManualClock(0) });
  const b: Build = { ...build('b77'), pullRequests: [...build('b77').pullRequests, { number: 9, title: 'Ghost', url: 'https://git.example/pr/9', authorName: 'Gus', authorEmail: 'gus@example.com', codeOwners: [] }] };
  const phases = ['started', 'stage_done', 'started', 'stage_done', 'started'] as const;
  for (const [i, phase] of phases.entries()) await notifier.post({ type: 'deploy_progress', key: `p${i}`, build: b, phase, stage: `s${i}`, at: i });
  const lookups = slack.calls.filter((c) => c.method === 'users.lookupByEmail');
  assert.equal(lookups.filter((c) => c.body.email === 'gus@example.com').length, 1, 'the unknown author is looked up once');
  assert.equal(lookups.filter((c) => c.body.email === 'bob@example.com').length, 1, 'the known one once too');

  // A build whose first message to an author is its end: no "going out".
  await notifier.post({ type: 'deploy_progress', key: 'late', build: build('b78'), phase: 'tainted', stage: 'staging', reason: 'b77 was rolled back', at: 9 });
  const parent = slack.ok('chat.postMessage').filter((c) => c.body.channel === 'DUALICE').at(-1)!;
  assert.match(String(parent.body.text), /will not ship/);
  assert.doesNotMatch(String(parent.body.text), /going out/);
  await store.close();
});

const STAGES: StageDef[] = [
  { name: 'staging', environment: 'commercial', tier: 'staging', azs: ['az1'], percent: 100, bakeSeconds: 600 },
  { name: 'prod', environment: 'commercial', tier: 'production', azs: ['az1'], percent: 100, bakeSeconds: 600 },
];

test('a rollback clicked in Slack updates the channel message: no rollback button left, who did it shown; hold and resume too', async () => {
  slack.calls.length = 0;
  const clock = new ManualClock(Date.parse('2024-05-01T10:00:00Z'));
  const store = await createStore('sqlite::memory:');
  const client = createSlackClient({ token: 'x', apiUrl: slack.url });
  const runner = new PipelineRunner({ store, deployer: new SimulatedDeployer({ clock, stepSeconds: 0 }), clock, stages: STAGES, retry: { retries: 0, backoffSeconds: 1 } });
  await runner.start({ loop: false });
  const outbox = new Outbox({ store, clock, notifiers: [new SlackNotifier({ client, store, deploysChannel: 'C_DEPLOYS' })], log: () => undefined });
  const refresher = watchPipelineForEvents({ pipeline: runner, store, notify: (n) => void outbox.enqueue(n) });
  const app = Fastify();
  // The request is signed with wall time while the pipeline runs on its own clock.
  const wall = new ManualClock(1_700_000_000_000);
  const clicks = registerSlackActions(app, { signingSecret: 's3cret', actions: runner, store, clock, signatureClock: wall, slack: client, allowedUsers: ['U_ONCALL'], allowedGroups: [] });
  await app.ready();
  try {
    await runner.submitBuild({ ...build('b42'), receivedAt: new Date(clock.now()).toISOString() });
    await runner.settle();
    await runner.tick();
    await runner.settle();
    const ev = event([signal('error_rate', clock.now())], { stage: 'staging', updatedAt: clock.now(), openedAt: clock.now() });
    await store.upsertEvent(ev);
    await outbox.enqueue({ type: 'event', key: 'ev-1:r1', event: ev, shadow: false });
    await outbox.runOnce();
    const parentTs = JSON.parse((await store.getKv('slack-event', 'ev-1'))!).ts as string;
    const first = JSON.stringify(slack.ok('chat.postMessage')[0].body.blocks);
    assert.match(first, /releasebot_rollback/);
    assert.match(first, /"confirm"/, 'rollback asks for confirmation');

    const payload = { type: 'block_actions', user: { id: 'U_ONCALL' }, channel: { id: 'C_DEPLOYS' }, actions: [{ action_id: ACTION_IDS.rollback, value: JSON.stringify({ eventId: 'ev-1', buildId: 'b42' }), action_ts: '1.1' }] };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const ts = String(Math.floor(wall.now() / 1000));
    const res = await app.inject({ method: 'POST', url: '/slack/actions', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': computeSlackSignature('s3cret', ts, body) }, payload: body });
    assert.equal(res.statusCode, 200);
    await clicks.idle();
    await runner.settle();
    await refresher.idle();
    await outbox.runOnce();
    const updates = slack.ok('chat.update');
    assert.ok(updates.length >= 1, 'the channel message was updated');
    const last = updates.at(-1)!;
    assert.equal(last.body.ts, parentTs);
    const blocks = JSON.stringify(last.body.blocks);
    assert.doesNotMatch(blocks, /releasebot_rollback/, 'no rollback button on a rolled-back build');
    assert.match(blocks, /rolled back by <@U_ONCALL>/);
    // The rollback holds the pipeline, so Resume is what makes sense now.
    assert.match(blocks, /releasebot_resume/);

    // A resume from the web UI (any path into the pipeline) updates it again.
    const before = updates.length;
    await runner.resume({ kind: 'person', id: 'alice' }, 'fixed forward');
    await runner.settle();
    await refresher.idle();
    await outbox.runOnce();
    const after = slack.ok('chat.update');
    assert.equal(after.length, before + 1);
    assert.doesNotMatch(JSON.stringify(after.at(-1)!.body.blocks), /releasebot_resume/, 'nothing to resume');
    // A stop from anywhere: Pause disappears, Resume comes back.
    await runner.stop({ kind: 'bot', id: 'monitor' }, 'event ev-2: errors');
    await runner.settle();
    await refresher.idle();
    await outbox.runOnce();
    const stopped = JSON.stringify(slack.ok('chat.update').at(-1)!.body.blocks);
    assert.match(stopped, /releasebot_resume/);
    assert.doesNotMatch(stopped, /releasebot_pause/);
    assert.match(stopped, /Pipeline stopped by releasebot \(monitor\)/);
  } finally {
    refresher.stop();
    await app.close();
    await runner.close();
    await store.close();
  }
});
