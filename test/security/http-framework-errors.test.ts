import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startLive, type LiveHarness } from './support.js';

/** Sends raw bytes and returns the whole answer (the server closes the connection on these errors). */
function raw(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('utf8')));
    s.on('error', reject);
    s.on('close', () => {
      const [head, ...rest] = out.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body: rest.join('\r\n\r\n') });
    });
    s.end(request);
  });
}

/** Asserts the documented `{error:{code,message}}` body. */
function documented(body: string, code: string): void {
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(parsed.error?.code, code, body);
  assert.equal(typeof parsed.error?.message, 'string', body);
  assert.deepEqual(Object.keys(parsed), ['error'], body);
}

describe("security: Fastify's and Node's own 400/414/431 answers use the documented error body", () => {
  let h: LiveHarness;
  before(async () => {
    h = await startLive();
  });
  after(async () => {
    await h?.close();
  });

  it('400 for a request Node cannot parse', async () => {
    const r = await raw(h.port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    assert.equal(r.status, 400);
    documented(r.body, 'BAD_REQUEST');
  });

  it('431 for headers that are too large', async () => {
    const r = await raw(h.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.equal(r.status, 431);
    documented(r.body, 'HEADERS_TOO_LARGE');
    assert.match(r.headers, /content-security-policy: default-src 'self'/);
  });

  it('400 for a malformed percent-encoding in the path', async () => {
    const r = await fetch(`${h.url}/builds/%E0%A4%A`);
    assert.equal(r.status, 400);
    documented(await r.text(), 'BAD_REQUEST');
  });

  it('414 for an over-long path parameter', async () => {
    const r = await fetch(`${h.url}/api/builds/${'a'.repeat(500)}`);
    assert.equal(r.status, 414);
    documented(await r.text(), 'URI_TOO_LONG');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  });

  it('400 for malformed JSON keeps the documented body', async () => {
    const r = await fetch(`${h.url}/api/actions/hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":' });
    assert.equal(r.status, 400);
    documented(await r.text(), 'BAD_REQUEST');
  });
});
