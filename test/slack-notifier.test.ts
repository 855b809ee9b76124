import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from './support/slack-server.js';
import { build, event, signal } from './support/slack-fixtures.js';
import { createSlackClient, SlackNotifier } from '../src/notify/slack.js';
import { createStore } from '../src/store/create.js';
import type { Store } from '../src/store/store.js';

let slack: FakeSlack;
before(async () => {
  slack = await new FakeSlack().start();
  slack.usersByEmail.set('bob@example.com', 'UBOB');
});
after(() => slack.stop());

async function setup(): Promise<{ store: Store; notifier: SlackNotifier }> {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const client = createSlackClient({ token: 'xoxb-test', apiUrl: slack.url });
  return { store, notifier: new SlackNotifier({ client, store, deploysChannel: 'C_DEPLOYS', teamChannel: 'C_TEAM' }) };
}

test('event: one parent message, later revisions update it and thread only new signals', async () => {
  const { store, notifier } = await setup();
  const s1 = signal('error_rate', 10);
  const s2 = signal('latency_p99', 20);
  const s3 = signal('cpu', 30);
  await notifier.post({ type: 'event', key: 'ev-1:1', event: event([s1], { severity: 'blue', action: 'hold' }), shadow: false });
  await notifier.post({ type: 'event', key: 'ev-1:2', event: event([s1, s2], { updatedAt: 2_000 }), shadow: false });
  // Re-delivery of the same revision (an outbox retry) must not thread s2 twice.
  await notifier.post({ type: 'event', key: 'ev-1:2', event: event([s1, s2], { updatedAt: 2_000 }), shadow: false });
  await notifier.post({ type: 'event', key: 'ev-1:3', event: event([s1, s2, s3], { updatedAt: 3_000, severity: 'fire' }), shadow: false });

  const posts = slack.ok('chat.postMessage');
  assert.equal(posts.filter((c) => c.body.thread_ts === undefined).length, 1, 'one parent message');
  const parent = posts[0];
  assert.equal(parent.body.channel, 'C_DEPLOYS');
  const parentTs = JSON.parse((await store.getKv('slack-event', 'ev-1'))!).ts as string;
  const replies = posts.filter((c) => c.body.thread_ts === parentTs);
  assert.deepEqual(replies.map((c) => /\*(\w+)\*/.exec(String(c.body.text))?.[1]), ['latency_p99', 'cpu']);
  const blocks = JSON.stringify(parent.body.blocks);
  for (const label of ['Roll back now', 'Pause pipeline', 'Resume', 'Acknowledge']) assert.ok(blocks.includes(label), label);
  assert.match(blocks, /releasebot_rollback/);
  const updates = slack.ok('chat.update');
  assert.equal(updates.length, 3);
  assert.ok(updates.every((u) => u.body.ts === parentTs && u.body.channel === 'C_DEPLOYS'));
  assert.match(String(updates.at(-1)!.body.text), /🔥/);
  await store.close();
});

test('event: a stale revision delivered late does not turn the parent back; closing threads a resolved line', async () => {
  const { store, notifier } = await setup();
  const s1 = signal('error_rate', 10);
  await notifier.post({ type: 'event', key: 'a', event: event([s1], { updatedAt: 5_000, severity: 'red' }), shadow: false });
  await notifier.post({ type: 'event', key: 'b', event: event([s1], { updatedAt: 4_000, severity: 'blue' }), shadow: false });
  assert.equal(slack.ok('chat.update').length, 0);
  await notifier.post({ type: 'event', key: 'c', event: event([s1], { updatedAt: 6_000, status: 'closed', closedAt: 6_000 }), shadow: false });
  assert.equal(slack.ok('chat.update').length, 1);
  assert.match(String(slack.ok('chat.update')[0].body.text), /Resolved/);
  assert.match(String(slack.ok('chat.postMessage').at(-1)!.body.text), /Resolved/);
  await store.close();
});

test('shadow events and team notes go to the team channel', async () => {
  const { store, notifier } = await setup();
  await notifier.post({ type: 'event', key: 's', event: event([signal('error_rate', 1)], { id: 'ev-sh' }), shadow: true, wouldDo: 'rollback' });
  await notifier.post({ type: 'team', key: 't', text: 'releasebot healthy', at: 1 });
  const posts = slack.ok('chat.postMessage');
  assert.deepEqual(posts.map((p) => p.body.channel), ['C_TEAM', 'C_TEAM']);
  assert.match(String(posts[0].body.text), /would have rolled back build b42 because/);
  assert.equal(JSON.stringify(posts[0].body.blocks).includes('releasebot_rollback'), false, 'shadow has no buttons');
  await store.close();
});

test('DMs: one conversation and one parent per author per build; later steps threaded; final line says why', async () => {
  const { store, notifier } = await setup();
  const b = build('b42');
  const steps = [
    { phase: 'started', stage: 'staging' },
    { phase: 'stage_done', stage: 'staging' },
    { phase: 'started', stage: 'canary' },
    { phase: 'rolled_back', stage: 'canary', reason: 'error_rate z=13.8 in canary' },
  ] as const;
  for (const [i, s] of steps.entries()) {
    await notifier.post({ type: 'deploy_progress', key: `b42:${i}`, build: b, at: i, ...s });
  }
  // A second build gets its own threads.
  await notifier.post({ type: 'deploy_progress', key: 'b43:0', build: build('b43'), phase: 'started', stage: 'staging', at: 9 });

  const opens = slack.ok('conversations.open');
  assert.deepEqual(opens.map((c) => c.body.users), ['UALICE', 'UBOB', 'UALICE', 'UBOB']);
  // The e-mail lookup is cached across builds.
  assert.equal(slack.ok('users.lookupByEmail').length, 1);
  const posts = slack.ok('chat.postMessage');
  const parents = posts.filter((p) => p.body.thread_ts === undefined);
  assert.equal(parents.length, 4, 'one parent per author per build');
  assert.match(String(parents[0].body.text), /#1 Faster search[\s\S]*#2 Fix typo/);
  const aliceParentTs = await parentTs(store, 'b42:UALICE');
  const aliceB42 = posts.filter((p) => p.body.channel === 'DUALICE' && p.body.thread_ts === aliceParentTs);
  assert.equal(aliceB42.length, 3, 'three later steps in the thread');
  assert.match(String(aliceB42.at(-1)!.body.text), /rolled back at canary: error_rate z=13.8 in canary/);
  await store.close();
});

async function parentTs(store: Store, key: string): Promise<string> {
  return JSON.parse((await store.getKv('slack-dm', key))!).ts as string;
}
