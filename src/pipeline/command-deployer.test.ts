import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeployError } from '../domain/errors.js';
import { CommandDeployer } from './command-deployer.js';
import type { DeployRequest } from './deployer.js';

const req: DeployRequest = {
  key: 'deploy:b7:canary:12',
  kind: 'deploy',
  buildId: 'b7',
  targetBuildId: 'b7',
  stage: 'canary',
  environment: 'gov',
  tier: 'canary',
  azs: ['use1-az1', 'use1-az2'],
  percent: 2,
};
const sh = (script: string, timeoutSeconds = 10) => new CommandDeployer({ command: 'sh', args: ['-c', script, 'deploy.sh'], timeoutSeconds });

function rejectsWith(code: string, pattern: RegExp) {
  return (e: unknown) => e instanceof DeployError && e.code === code && pattern.test(e.message);
}

describe('CommandDeployer', () => {
  it('passes the request as positional arguments and RELEASEBOT_* variables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-cmd-'));
    const out = join(dir, 'out');
    await sh(`echo "$@" > ${out}; echo "$RELEASEBOT_BUILD_ID $RELEASEBOT_STAGE $RELEASEBOT_TIER $RELEASEBOT_AZS $RELEASEBOT_PERCENT $RELEASEBOT_ENVIRONMENT $RELEASEBOT_KIND $RELEASEBOT_KEY" >> ${out}`).deploy(req);
    assert.deepEqual(readFileSync(out, 'utf8').split('\n'), [
      'b7 canary canary use1-az1,use1-az2 2 gov',
      'b7 canary canary use1-az1,use1-az2 2 gov deploy deploy:b7:canary:12',
      '',
    ]);
  });

  it('deploys the last good build on a rollback and names the build rolled back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-cmd-'));
    const out = join(dir, 'out');
    const rb = { ...req, kind: 'rollback' as const, targetBuildId: 'b5' };
    await sh(`echo "$1 $RELEASEBOT_KIND $RELEASEBOT_ROLLBACK_OF" > ${out}`).deploy(rb);
    assert.equal(readFileSync(out, 'utf8'), 'b5 rollback b7\n');
  });

  const failures: Array<[string, string, number, string, RegExp]> = [
    ['non-zero exit', 'echo "no capacity in use1-az2" >&2; exit 3', 10, 'DEPLOY_FAILED', /exited with 3: no capacity in use1-az2/],
    ['missing executable', '', 10, 'DEPLOY_FAILED', /cannot run|exited with 127/],
    ['hanging command', 'sleep 30', 0.3, 'DEPLOY_TIMEOUT', /timed out after 0.3s/],
  ];
  for (const [name, script, timeout, code, msg] of failures) {
    it(`fails a step on a ${name}`, async () => {
      const deployer = script ? sh(script, timeout) : new CommandDeployer({ command: '/nonexistent/deploy', timeoutSeconds: timeout });
      const t0 = Date.now();
      await assert.rejects(deployer.deploy(req), rejectsWith(code, msg));
      assert.ok(Date.now() - t0 < 5000, 'a hanging command does not hang the deployer');
    });
  }

  it('kills the whole process group on timeout, not just the shell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-cmd-'));
    const marker = join(dir, 'child-finished');
    // The shell starts a child that would write the marker after 1 s; the timeout must kill it too.
    await assert.rejects(sh(`(sleep 1; touch ${marker}) & wait`, 0.2).deploy(req), rejectsWith('DEPLOY_TIMEOUT', /timed out/));
    await new Promise((r) => setTimeout(r, 1500));
    assert.throws(() => readFileSync(marker), /ENOENT/);
  });

  it('stops when its AbortSignal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(sh('sleep 30').deploy(req, ac.signal), rejectsWith('DEPLOY_TIMEOUT', /aborted/));
  });
});
