import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { CommandDeployer } from '../../src/pipeline/command-deployer.js';
import type { DeployRequest } from '../../src/pipeline/deployer.js';

const REQ: DeployRequest = { kind: 'deploy', key: 'k1', buildId: 'b1', stage: 'canary', tier: 'canary', azs: ['az1'], percent: 2, environment: 'commercial' } as DeployRequest;

describe('security: the deploy command gets a clean environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-env-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("never sees the bot's API token, Slack token or signing secret; sees what the config names", async () => {
    const out = join(dir, 'env.txt');
    const parentEnv = { ...process.env, RELEASEBOT_API_TOKEN: 'api-secret-1', SLACK_BOT_TOKEN: 'xoxb-secret', SLACK_SIGNING_SECRET: 'sig-secret', PAGERDUTY_ROUTING_KEY: 'pd', AWS_PROFILE: 'deployer' };
    const d = new CommandDeployer({ command: 'sh', args: ['-c', `env > ${out}`, 'deploy'], timeoutSeconds: 10, env: { DEPLOY_LOG: 'info' }, passEnv: ['AWS_PROFILE'], parentEnv });
    await d.deploy(REQ);
    const env = Object.fromEntries(readFileSync(out, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const secret of ['RELEASEBOT_API_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PAGERDUTY_ROUTING_KEY']) assert.equal(env[secret], undefined, secret);
    assert.equal(env.AWS_PROFILE, 'deployer');
    assert.equal(env.DEPLOY_LOG, 'info');
    assert.equal(env.RELEASEBOT_STAGE, 'canary');
    assert.equal(env.PATH, process.env.PATH);
    const names = Object.keys(env).filter((k) => !['PATH', 'HOME', 'AWS_PROFILE', 'DEPLOY_LOG', 'PWD', 'SHLVL', '_'].includes(k) && !k.startsWith('RELEASEBOT_'));
    assert.deepEqual(names, [], 'nothing else leaks through');
  });
});

describe('security: examples/releasebot.yaml is safe as written', () => {
  it('binds loopback or requires login, and trusts the user header only from listed proxies', () => {
    const file = fileURLToPath(new URL('../../examples/releasebot.yaml', import.meta.url));
    const c = loadConfig(file, { RELEASEBOT_API_TOKEN: 'ci-token-123456', SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 's', PAGERDUTY_ROUTING_KEY: 'r' });
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(c.server.host);
    assert.ok(loopback || c.server.ui.requireLoginForRead, `host ${c.server.host} without login`);
    if (c.server.ui.trustedUserHeader) {
      assert.ok(c.server.ui.trustedProxies.length > 0);
      assert.ok(c.server.ui.trustedProxies.every((p) => !/\/0$/.test(p)), 'no catch-all proxy range');
    }
    assert.match(readFileSync(file, 'utf8'), /proxy/i, 'a comment explains the proxy set-up');
  });
});
