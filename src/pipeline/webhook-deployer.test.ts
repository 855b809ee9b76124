import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DeployError } from '../domain/errors.js';
import type { DeployRequest } from './deployer.js';
import { WebhookDeployer } from './webhook-deployer.js';

const req: DeployRequest = {
  key: 'deploy:b3:prod-10:40',
  kind: 'deploy',
  buildId: 'b3',
  targetBuildId: 'b3',
  stage: 'prod-10',
  environment: 'commercial',
  tier: 'production',
  azs: ['az1'],
  percent: 10,
};

describe('WebhookDeployer against a loopback server', () => {
  const received: Array<{ path: string; headers: IncomingMessage['headers']; body: unknown }> = [];
  const server = createServer((rq: IncomingMessage, rs: ServerResponse) => {
    let body = '';
    rq.on('data', (c) => (body += c));
    rq.on('end', () => {
      received.push({ path: rq.url ?? '', headers: rq.headers, body: JSON.parse(body) });
      if (rq.url === '/ok') rs.writeHead(202).end('accepted');
      else if (rq.url === '/hang') setTimeout(() => rs.writeHead(200).end(), 5000).unref();
      else rs.writeHead(503).end('deploy service overloaded ' + 'x'.repeat(500));
    });
  });
  let base = '';
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('POSTs the request as JSON with the idempotency key and configured headers; 2xx succeeds', async () => {
    await new WebhookDeployer({ url: `${base}/ok`, headers: { authorization: 'Bearer t0k3n' }, timeoutSeconds: 5 }).deploy(req);
    const last = received.at(-1)!;
    assert.deepEqual(last.body, req);
    assert.equal(last.headers['idempotency-key'], req.key);
    assert.equal(last.headers.authorization, 'Bearer t0k3n');
    assert.equal(last.headers['content-type'], 'application/json');
  });

  it('fails with the status and the start of the body on a non-2xx answer', async () => {
    await assert.rejects(
      new WebhookDeployer({ url: `${base}/fail`, timeoutSeconds: 5 }).deploy(req),
      (e: unknown) =>
        e instanceof DeployError &&
        e.code === 'DEPLOY_FAILED' &&
        /answered 503: deploy service overloaded x+\.\.\.$/.test(e.message) &&
        e.message.length < 400,
    );
  });

  it('times out when the endpoint does not answer', async () => {
    await assert.rejects(
      new WebhookDeployer({ url: `${base}/hang`, timeoutSeconds: 0.3 }).deploy(req),
      (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_TIMEOUT' && /no answer within 0.3s/.test(e.message),
    );
  });

  it('fails when nothing listens', async () => {
    await assert.rejects(
      new WebhookDeployer({ url: 'http://127.0.0.1:1/deploy', timeoutSeconds: 2 }).deploy(req),
      (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_FAILED' && /POST http:\/\/127.0.0.1:1\/deploy failed/.test(e.message),
    );
  });
});
