import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PagerDutyNotifier } from '../src/notify/pagerduty.js';
import { DeliveryError } from '../src/notify/delivery-error.js';

// A loopback stand-in for PagerDuty's Events API v2 (`POST /v2/enqueue`), answering 202 like PagerDuty.
const received: Array<Record<string, unknown>> = [];
let nextStatus: number[] = [];
let server: Server;
let url = '';
before(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ path: req.url, contentType: req.headers['content-type'], ...JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    const status = nextStatus.shift() ?? 202;
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '30' } : {}) });
    res.end(JSON.stringify(status === 202 ? { status: 'success', message: 'Event processed', dedup_key: 'x' } : { status: 'invalid event' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('PagerDuty: trigger and resolve with the same dedup key; other notifications ignored', async () => {
  const pd = new PagerDutyNotifier({ routingKey: 'R0UTING', url });
  await pd.post({ type: 'page', key: 'p1', action: 'trigger', dedupKey: 'releasebot:ev-1', summary: 'Build b42 fire event in canary', severity: 'critical', at: 0 });
  await pd.post({ type: 'page', key: 'p2', action: 'resolve', dedupKey: 'releasebot:ev-1', summary: 'resolved', severity: 'critical', at: 1 });
  await pd.post({ type: 'team', key: 't', text: 'x', at: 0 });
  assert.equal(received.length, 2);
  assert.deepEqual(received[0], {
    path: '/v2/enqueue',
    contentType: 'application/json',
    routing_key: 'R0UTING',
    event_action: 'trigger',
    dedup_key: 'releasebot:ev-1',
    payload: { summary: 'Build b42 fire event in canary', source: 'releasebot', severity: 'critical', timestamp: '1970-01-01T00:00:00.000Z' },
  });
  assert.deepEqual(received[1], { path: '/v2/enqueue', contentType: 'application/json', routing_key: 'R0UTING', event_action: 'resolve', dedup_key: 'releasebot:ev-1' });
  assert.equal(pd.accepts({ type: 'team', key: 't', text: 'x', at: 0 }), false);
});

test('PagerDuty: 429 is rate limited, 5xx transient, 400 permanent, unreachable transient', async () => {
  const pd = new PagerDutyNotifier({ routingKey: 'R', url });
  const page = { type: 'page', key: 'p', action: 'trigger', dedupKey: 'd', summary: 's', severity: 'error', at: 0 } as const;
  const kinds: unknown[] = [];
  for (const status of [429, 503, 400]) {
    nextStatus = [status];
    await pd.post(page).catch((e: DeliveryError) => kinds.push(e.failure.kind === 'rate_limited' ? [e.failure.kind, e.failure.retryAfterMs] : e.failure.kind));
  }
  assert.deepEqual(kinds, [['rate_limited', 30_000], 'transient', 'permanent']);
  const down = new PagerDutyNotifier({ routingKey: 'R', url: 'http://127.0.0.1:1/v2/enqueue' });
  await assert.rejects(down.post(page), (e: DeliveryError) => e.failure.kind === 'transient');
});
