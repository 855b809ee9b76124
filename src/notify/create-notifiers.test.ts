import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifiers } from './create-notifiers.js';
import { configSchema } from '../config/schema.js';
import type { Store } from '../store/store.js';

// The factory only hands the store to the Slack notifier; nothing is called on it here.
const store = {} as Store;
const notifyOf = (notify: unknown) => configSchema.parse({ pipeline: { stages: [{ name: 's', environment: 'e', tier: 't', azs: ['a'], percent: 100 }] }, notify }).notify;

test('createNotifiers: console alone by default; Slack and PagerDuty when configured; console kept as fallback', () => {
  assert.deepEqual(createNotifiers(notifyOf({}), { store }).map((n) => n.name), ['console']);
  const full = notifyOf({
    slack: { token: 'xoxb-1', signingSecret: 's', deploysChannel: 'C1' },
    pagerduty: { routingKey: 'R' },
    console: false,
  });
  assert.deepEqual(createNotifiers(full, { store }).map((n) => n.name), ['slack', 'pagerduty']);
  assert.deepEqual(createNotifiers({ ...full, slack: undefined, pagerduty: undefined }, { store }).map((n) => n.name), ['console']);
});
