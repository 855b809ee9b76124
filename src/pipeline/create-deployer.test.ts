import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import { DeployError } from '../domain/errors.js';
import { deployerSchema } from '../config/schema.js';
import { CommandDeployer } from './command-deployer.js';
import { createDeployer, retryPolicyOf } from './create-deployer.js';
import type { DeployRequest } from './deployer.js';
import { SimulatedDeployer } from './simulated-deployer.js';
import { WebhookDeployer } from './webhook-deployer.js';

const req = (key: string): DeployRequest => ({ key, kind: 'deploy', buildId: 'b1', targetBuildId: 'b1', stage: 's', environment: 'e', tier: 't', azs: ['a'], percent: 1 });

describe('createDeployer', () => {
  const table = [
    { cfg: { type: 'simulated' }, cls: SimulatedDeployer, retry: { retries: 2, backoffSeconds: 5 } },
    { cfg: { type: 'command', command: './deploy.sh', retries: 4, backoff: '30s' }, cls: CommandDeployer, retry: { retries: 4, backoffSeconds: 30 } },
    { cfg: { type: 'webhook', url: 'http://127.0.0.1:9/deploy' }, cls: WebhookDeployer, retry: { retries: 2, backoffSeconds: 5 } },
  ];
  for (const row of table) {
    it(`builds a ${row.cfg.type} deployer with its retry policy`, () => {
      const cfg = deployerSchema.parse(row.cfg);
      assert.ok(createDeployer(cfg, { clock: new ManualClock() }) instanceof row.cls);
      assert.deepEqual(retryPolicyOf(cfg), row.retry);
    });
  }
});

describe('SimulatedDeployer', () => {
  it('takes stepSeconds of clock time and reports where each build runs', async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const d = new SimulatedDeployer({ clock, stepSeconds: 20, onDeployed: (r) => seen.push(r.key) });
    let done = false;
    const p = d.deploy(req('k1')).then(() => (done = true));
    await clock.advance(19_000);
    assert.equal(done, false);
    await clock.advance(1_000);
    await p;
    assert.deepEqual(seen, ['k1']);
  });

  it('injects failures deterministically by key and attempt', async () => {
    const run = async () => {
      const d = new SimulatedDeployer({ clock: new ManualClock(), stepSeconds: 0, failRate: 0.5 });
      const out: boolean[] = [];
      for (let i = 0; i < 40; i++) out.push(await d.deploy(req(`k${i}`)).then(() => true, (e) => (assert.ok(e instanceof DeployError), false)));
      return out;
    };
    const a = await run();
    assert.deepEqual(await run(), a);
    const failures = a.filter((x) => !x).length;
    assert.ok(failures > 8 && failures < 32, `about half fail, got ${failures}/40`);
  });

  it('stops waiting when aborted', async () => {
    const ac = new AbortController();
    const d = new SimulatedDeployer({ clock: new ManualClock(), stepSeconds: 60 });
    const p = d.deploy(req('k'), ac.signal);
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof DeployError && e.code === 'DEPLOY_TIMEOUT');
  });
});
