import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReleasebotError } from '../domain/errors.js';
import { PrometheusSource, parseValue } from './prometheus.js';
import { createMetricsSource } from './create-source.js';
import { ManualClock } from '../clock/clock.js';
import { SimulatedSource } from './simulated.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A tiny HTTP server standing in for a Prometheus that misbehaves on purpose (faults real servers rarely show on demand). */
async function withServer(handler: Handler, fn: (url: string, hits: () => number) => Promise<void>): Promise<void> {
  let hits = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits++;
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix/`, () => hits);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const expectCode = (code: string, ...parts: string[]) => (e: unknown) => {
  assert.ok(e instanceof ReleasebotError, String(e));
  assert.equal(e.code, code, e.message);
  for (const p of parts) assert.ok(e.message.includes(p), `${e.message} should mention ${p}`);
  return true;
};

test('posts form-encoded queries with auth, parses NaN/Inf and seconds to ms', async () => {
  let seen: { path?: string; auth?: string; body?: string } = {};
  await withServer(
    (req, body, res) => {
      seen = { path: req.url, auth: req.headers.authorization, body };
      json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { tier: 'canary' }, values: [[1700000000.5, '1.5'], [1700000015, 'NaN'], [1700000030, '+Inf']] }] } });
    },
    async (url) => {
      const src = new PrometheusSource({ url, timeoutMs: 1000, retries: 0, auth: { username: 'u', password: 'p' } });
      const [s] = await src.queryRange('sum by (tier) (x{a="b"})', 1700000000500, 1700000030000, 15000);
      assert.equal(seen.path, '/prefix/api/v1/query_range');
      assert.equal(seen.auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
      const form = new URLSearchParams(seen.body);
      assert.equal(form.get('query'), 'sum by (tier) (x{a="b"})');
      assert.equal(form.get('start'), '1700000000.500');
      assert.equal(form.get('step'), '15.000');
      assert.deepEqual(Array.from(s.timestamps), [1700000000500, 1700000015000, 1700000030000]);
      assert.ok(Number.isNaN(s.values[1]));
      assert.equal(s.values[2], Infinity);
      const bearer = new PrometheusSource({ url, timeoutMs: 1000, retries: 0, auth: { bearer: 'tok' } });
      await bearer.queryRange('x', 0, 1000, 1000);
      assert.equal(seen.auth, 'Bearer tok');
    },
  );
  assert.equal(parseValue('-Inf'), -Infinity);
});

test('retries 5xx with backoff, then BACKEND_DOWN naming the server', async () => {
  await withServer(
    (_req, _body, res) => json(res, 502, { oops: true }),
    async (url, hits) => {
      const src = new PrometheusSource({ url, timeoutMs: 1000, retries: 2, backoffMs: 1 });
      await assert.rejects(src.query('up', 0), expectCode('BACKEND_DOWN', '127.0.0.1', '3 attempt', 'HTTP 502'));
      assert.equal(hits(), 3);
    },
  );
});

test('recovers when a retry succeeds', async () => {
  let n = 0;
  await withServer(
    (_req, _body, res) => (++n < 2 ? json(res, 503, {}) : json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [10, '2'] }] } })),
    async (url) => {
      const src = new PrometheusSource({ url, timeoutMs: 1000, retries: 2, backoffMs: 1 });
      assert.deepEqual(await src.query('up', 10_000), [{ labels: {}, timestamp: 10_000, value: 2 }]);
    },
  );
});

test('4xx is not retried: QUERY_FAILED with the query, server and Prometheus error text', async () => {
  await withServer(
    (_req, _body, res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }),
    async (url, hits) => {
      const src = new PrometheusSource({ url, timeoutMs: 1000, retries: 3, backoffMs: 1 });
      await assert.rejects(src.queryRange('sum((', 0, 1000, 1000), expectCode('QUERY_FAILED', '"sum(("', '127.0.0.1', 'bad_data', 'parse error at char 4'));
      assert.equal(hits(), 1);
    },
  );
});

test('timeouts and refused connections are BACKEND_DOWN', async () => {
  await withServer(
    () => undefined, // never answers
    async (url) => {
      const src = new PrometheusSource({ url, timeoutMs: 50, retries: 1, backoffMs: 1 });
      await assert.rejects(src.query('up', 0), expectCode('BACKEND_DOWN', 'timed out after 50 ms'));
      assert.equal(await src.isOnline(), false);
    },
  );
  const closed = new PrometheusSource({ url: 'http://127.0.0.1:1', timeoutMs: 500, retries: 0 });
  await assert.rejects(closed.query('up', 0), expectCode('BACKEND_DOWN', 'http://127.0.0.1:1'));
  await withServer(
    (_req, _body, res) => json(res, 401, {}),
    async (url) => {
      await assert.rejects(new PrometheusSource({ url, timeoutMs: 500, retries: 2 }).query('up', 0), expectCode('BACKEND_DOWN', 'HTTP 401', 'metrics.auth'));
    },
  );
});

test('factory builds the configured source', () => {
  const clock = new ManualClock(0);
  assert.ok(createMetricsSource({ type: 'simulated', seed: 3 }, { clock }) instanceof SimulatedSource);
  const p = createMetricsSource({ type: 'prometheus', url: 'http://x:9090', timeout: 5, retries: 1, compression: 'auto' }, { clock });
  assert.ok(p instanceof PrometheusSource);
});

test('asks for uncompressed answers on this host and gzip elsewhere or when set; gzip answers are read', async () => {
  const { gzipSync } = await import('node:zlib');
  const { isLoopback } = await import('./prometheus.js');
  const seen: (string | undefined)[] = [];
  const answer = { status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 'b' }, values: [[1700000000, '2']] }] } };
  await withServer(
    (req, _body, res) => {
      seen.push(req.headers['accept-encoding']);
      if (String(req.headers['accept-encoding']).includes('gzip')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify(answer)));
      } else json(res, 200, answer);
    },
    async (url) => {
      for (const compression of [undefined, 'none', 'gzip'] as const) {
        const [s] = await new PrometheusSource({ url, timeoutMs: 1000, retries: 0, compression }).queryRange('x', 1700000000000, 1700000000000, 15000);
        assert.deepEqual(Array.from(s.values), [2]);
      }
    },
  );
  assert.deepEqual(seen, ['identity', 'identity', 'gzip']);
  assert.equal(isLoopback('http://localhost:9090'), true);
  assert.equal(isLoopback('http://127.0.0.2:9090/prefix'), true);
  assert.equal(isLoopback('http://[::1]:9090'), true);
  assert.equal(isLoopback('http://prometheus.internal:9090'), false);
  assert.equal(isLoopback('http://10.0.0.5:9090'), false);
});
