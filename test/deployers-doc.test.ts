import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// ajv comes with fastify; its 2020-12 build checks the schema exactly as docs/deployers.md states it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { WebhookDeployer } from '../src/pipeline/webhook-deployer.js';
import type { DeployRequest } from '../src/pipeline/deployer.js';
import { ROOT } from './support/cli.js';

const doc = readFileSync(join(ROOT, 'docs/deployers.md'), 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
const schema = JSON.parse(jsonBlocks.find((b) => b.includes('"$schema"'))!) as object;
const example = doc.match(/```http\n[\s\S]*?\n\n(\{.*\})\n```/)![1];

/** The body and headers the real webhook deployer sends for `req`. */
async function sent(req: DeployRequest): Promise<{ body: unknown; headers: Record<string, string | string[] | undefined> }> {
  let got: { body: unknown; headers: Record<string, string | string[] | undefined> } | undefined;
  const server = createServer((r, res) => {
    let text = '';
    r.on('data', (c) => (text += c));
    r.on('end', () => {
      got = { body: JSON.parse(text), headers: r.headers };
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    await new WebhookDeployer({ url: `http://127.0.0.1:${port}/hook`, timeoutSeconds: 5 }).deploy(req);
  } finally {
    server.close();
  }
  return got!;
}

test('docs/deployers.md: the webhook body the deployer sends matches the documented JSON schema, and so does the example', async () => {
  const validate = new Ajv2020({ strict: true }).compile(schema);
  const reqs: DeployRequest[] = [
    { key: 'deploy:b7:canary:3', kind: 'deploy', buildId: 'b7', targetBuildId: 'b7', stage: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1', 'az2'], percent: 2 },
    { key: 'rollback:b7:canary:4', kind: 'rollback', buildId: 'b7', targetBuildId: null, stage: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1'], percent: 2 },
  ];
  for (const req of reqs) {
    const { body, headers } = await sent(req);
    assert.ok(validate(body), `${req.key}: ${JSON.stringify(validate.errors)}`);
    assert.equal(headers['idempotency-key'], req.key);
  }
  assert.ok(validate(JSON.parse(example)), `the documented example: ${JSON.stringify(validate.errors)}`);
  assert.equal(validate({ ...reqs[0], percent: 0 }), false, 'the schema rejects what the bot never sends');
});

test('docs/deployers.md names every RELEASEBOT_* variable the command deployer sets', async () => {
  const { commandEnv } = await import('../src/pipeline/command-deployer.js');
  const names = Object.keys(commandEnv({ key: 'k', kind: 'deploy', buildId: 'b', targetBuildId: 'b', stage: 's', environment: 'e', tier: 't', azs: ['a'], percent: 1 }));
  assert.ok(names.length >= 9);
  for (const n of names) assert.ok(doc.includes(`\`${n}\``), `${n} is not documented`);
});
