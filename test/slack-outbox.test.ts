import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from './support/slack-server.js';
import { build, event, signal } from './support/slack-fixtures.js';
import { createSlackClient, SlackNotifier } from '../src/notify/slack.js';
import { Outbox } from '../src/notify/outbox.js';
import { ConsoleNotifier } from '../src/notify/console.js';
import { createStore } from '../src/store/create.js';
import { ManualClock } from '../src/clock/clock.js';
import type { Store } from '../src/store/store.js';
import type { Notification } from '../src/notify/notification.js';

let slack: FakeSlack;
const dir = mkdtempSync(join(tmpdir(), 'releasebot-outbox-'));
before(async () => {
  slack = await new FakeSlack().start();
});
after(async () => {
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });
});

function outboxFor(store: Store, clock: ManualClock, logs: string[] = []): Outbox {
  const client = createSlackClient({ token: 'xoxb-test', apiUrl: slack.url });
  const notifier = new SlackNotifier({ client, store, deploysChannel: 'C_DEPLOYS', teamChannel: 'C_TEAM' });
  return new Outbox({ store, clock, notifiers: [notifier], log: (l) => logs.push(l) });
}

const team = (key: string, text: string): Notification => ({ type: 'team', key, text, at: 0 });

test('429 waits exactly Retry-After, then delivers once', async () => {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock(1_000_000);
  const outbox = outboxFor(store, clock);
  slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
  await outbox.enqueue(team('t1', 'hello'));
  await outbox.enqueue(team('t2', 'second'));
  assert.deepEqual(await outbox.runOnce(), { sent: 0, retried: 1, dead: 0, deferred: 1 });
  await clock.advance(6_999);
  assert.deepEqual(await outbox.runOnce(), { sent: 0, retried: 0, dead: 0, deferred: 1 });
  await clock.advance(1);
  assert.deepEqual(await outbox.runOnce(), { sent: 2, retried: 0, dead: 0, deferred: 0 });
  assert.deepEqual(slack.ok('chat.postMessage').map((c) => c.body.text), ['hello', 'second'], 'order kept, no duplicates');
  assert.equal(slack.calls.filter((c) => c.status === 429).length, 1);
  await store.close();
});

test('5xx backs off exponentially; permanent errors go dead after logging', async () => {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock(0);
  const logs: string[] = [];
  const outbox = outboxFor(store, clock, logs);
  slack.failNext('chat.postMessage', { status: 500 }, 2);
  await outbox.enqueue(team('t1', 'x'));
  assert.equal((await outbox.runOnce()).retried, 1);
  await clock.advance(999);
  assert.equal((await outbox.runOnce()).deferred + (await outbox.runOnce()).sent, 0, 'not due before 1 s');
  await clock.advance(1);
  assert.equal((await outbox.runOnce()).retried, 1);
  await clock.advance(1_999);
  assert.equal((await outbox.runOnce()).sent, 0, 'second backoff is 2 s');
  await clock.advance(1);
  assert.equal((await outbox.runOnce()).sent, 1);

  slack.failNext('chat.postMessage', { error: 'channel_not_found' });
  await outbox.enqueue(team('t2', 'y'));
  assert.equal((await outbox.runOnce()).dead, 1);
  await clock.advance(3_600_000);
  assert.deepEqual(await outbox.runOnce(), { sent: 0, retried: 0, dead: 0, deferred: 0 });
  assert.ok(logs.some((l) => /giving up on slack t2.*channel_not_found/.test(l)), logs.join('\n'));
  await store.close();
});

test('restart: nothing lost, nothing sent twice (new Outbox on the same SQLite file)', async () => {
  slack.calls.length = 0;
  const file = join(dir, 'restart.db');
  const clock = new ManualClock(0);
  const e1 = event([signal('error_rate', 1)], { id: 'ev-r' });
  const e2 = event([signal('error_rate', 1), signal('cpu', 2)], { id: 'ev-r', updatedAt: 2_000 });
  const batch: Notification[] = [
    { type: 'event', key: 'ev-r:1', event: e1, shadow: false },
    { type: 'deploy_progress', key: 'b42:0', build: build(), stage: 'staging', phase: 'started', at: 0 },
    { type: 'event', key: 'ev-r:2', event: e2, shadow: false },
    team('t-r', 'after'),
  ];
  let store = await createStore(`sqlite:${file}`);
  let outbox = outboxFor(store, clock);
  for (const n of batch) await outbox.enqueue(n);
  // conversations.open (the 2nd notification's first call) fails: the rest waits behind it.
  slack.failNext('conversations.open', { status: 503 });
  assert.deepEqual(await outbox.runOnce(), { sent: 1, retried: 1, dead: 0, deferred: 2 });
  await store.close();

  // "Restart": new store handle, new client, new outbox; the producer re-enqueues the same keys.
  store = await createStore(`sqlite:${file}`);
  outbox = outboxFor(store, clock);
  for (const n of batch) await outbox.enqueue(n);
  await clock.advance(1_000);
  assert.deepEqual(await outbox.runOnce(), { sent: 3, retried: 0, dead: 0, deferred: 0 });
  assert.deepEqual(await outbox.runOnce(), { sent: 0, retried: 0, dead: 0, deferred: 0 });

  const parents = slack.ok('chat.postMessage').filter((c) => c.body.thread_ts === undefined);
  assert.deepEqual(parents.map((c) => c.body.channel), ['C_DEPLOYS', 'DUALICE', 'C_TEAM'], 'each parent once (bob has no Slack user here)');
  assert.equal(slack.ok('chat.update').length, 1);
  assert.equal(slack.ok('chat.postMessage').filter((c) => c.body.thread_ts !== undefined).length, 1, 'one threaded new signal');
  await store.close();
});

test('a Slack outage never blocks enqueue: it only writes to the store', async () => {
  slack.calls.length = 0;
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock(0);
  const outbox = outboxFor(store, clock);
  slack.failNext('*', { status: 500 }, 1000);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) await outbox.enqueue(team(`o${i}`, `m${i}`));
  const ms = performance.now() - t0;
  assert.equal(slack.calls.length, 0, 'enqueue made no HTTP call');
  assert.ok(ms < 2_000, `200 enqueues took ${ms} ms`);
  // The worker: one failing call, then the target pauses instead of hammering Slack.
  assert.deepEqual(await outbox.runOnce(), { sent: 0, retried: 1, dead: 0, deferred: 99 });
  assert.equal(slack.calls.length, 1);
  slack.clearFaults();
  await store.close();
  // A broken store is logged, never thrown into the deploy path.
  const logs: string[] = [];
  await outboxFor(store, clock, logs).enqueue(team('late', 'x'));
  assert.equal(logs.length, 1);
});

test('run() delivers in the background and stops on abort; console notifier renders lines', async () => {
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock(0);
  const lines: string[] = [];
  const outbox = new Outbox({ store, clock, notifiers: [new ConsoleNotifier((l) => lines.push(l))], pollMs: 1000 });
  const ac = new AbortController();
  const loop = outbox.run(ac.signal);
  await outbox.enqueue({ type: 'event', key: 'c1', event: event([signal('error_rate', 1)]), shadow: false });
  for (let i = 0; i < 20 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(lines[0], /🔴 event ev-1 build b42 at canary/);
  assert.match(lines[1], /error_rate.*z 13\.83.*graph \(https:\/\/grafana/);
  ac.abort();
  await loop;
  await store.close();
});
