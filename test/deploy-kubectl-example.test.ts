import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandDeployer } from '../src/pipeline/command-deployer.js';
import type { DeployRequest } from '../src/pipeline/deployer.js';
import { DeployError } from '../src/domain/errors.js';
import { ROOT } from './support/cli.js';

/**
 * examples/deploy-kubectl.sh (the worked example of docs/deployers.md) run by the real command
 * deployer, with a `kubectl` on PATH that records its arguments and can fail a rollout.
 */
function setup(failRollout = false): { deployer: CommandDeployer; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-kubectl-'));
  const log = join(dir, 'calls');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'kubectl'), `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *"rollout status"*) ${failRollout ? 'echo "deployment exceeded its progress deadline" >&2; exit 1' : 'exit 0'};; esac\n`);
  chmodSync(join(dir, 'kubectl'), 0o755);
  const deployer = new CommandDeployer({
    command: join(ROOT, 'examples/deploy-kubectl.sh'),
    timeoutSeconds: 20,
    env: { IMAGE_REPO: 'registry.example.com/webapp' },
    parentEnv: { PATH: `${dir}:/usr/bin:/bin` },
  });
  return { deployer, calls: () => readFileSync(log, 'utf8').trim().split('\n') };
}

const req: DeployRequest = {
  key: 'deploy:b7:prod-25:12', kind: 'deploy', buildId: 'b7', targetBuildId: 'b7', stage: 'prod-25',
  environment: 'commercial', tier: 'production', azs: ['az1', 'az2'], percent: 25,
};

test('deploy-kubectl.sh sets the image and waits for the rollout in every AZ', async () => {
  const { deployer, calls } = setup();
  await deployer.deploy(req);
  assert.deepEqual(calls(), [
    '--context az1 --namespace commercial set image deployment/webapp-prod-25 app=registry.example.com/webapp:b7',
    '--context az1 --namespace commercial annotate --overwrite deployment/webapp-prod-25 releasebot/key=deploy:b7:prod-25:12',
    '--context az1 --namespace commercial rollout status deployment/webapp-prod-25 --timeout=10m',
    '--context az2 --namespace commercial set image deployment/webapp-prod-25 app=registry.example.com/webapp:b7',
    '--context az2 --namespace commercial annotate --overwrite deployment/webapp-prod-25 releasebot/key=deploy:b7:prod-25:12',
    '--context az2 --namespace commercial rollout status deployment/webapp-prod-25 --timeout=10m',
  ]);
});

test('deploy-kubectl.sh rolls back to the last good build, or undoes the rollout when none is known', async () => {
  const { deployer, calls } = setup();
  await deployer.deploy({ ...req, kind: 'rollback', key: 'rollback:b7:prod-25:13', targetBuildId: 'b6', azs: ['az1'] });
  assert.equal(calls()[0], '--context az1 --namespace commercial set image deployment/webapp-prod-25 app=registry.example.com/webapp:b6');
  const none = setup();
  await none.deployer.deploy({ ...req, kind: 'rollback', key: 'rollback:b7:prod-25:14', targetBuildId: null, azs: ['az1'] });
  assert.equal(none.calls()[0], '--context az1 --namespace commercial rollout undo deployment/webapp-prod-25');
});

test('deploy-kubectl.sh fails the step with kubectl\'s reason when the rollout does not finish', async () => {
  const { deployer } = setup(true);
  await assert.rejects(deployer.deploy(req), (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_FAILED' && /progress deadline/.test(e.message));
});
