import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../src/store/create.js';
import { cliArgs } from './support/cli.js';

// SIGTERM while a deploy step runs: the step finishes within --drain-timeout and is recorded, or
// it is handed over (killed, nothing recorded, the next start performs it again).

const TOKEN = 'drain-token-0123456789';

/** A config whose command deployer runs `seconds` long, leaving DIR/step.start and DIR/step.done behind. */
function setup(seconds: number): { dir: string; file: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rb-drain-'));
  const db = join(dir, 'rb.db');
  const file = join(dir, 'releasebot.yaml');
  writeFileSync(file, `server:
  port: 0
  apiTokens: ["\${RB_TEST_TOKEN}"]
store: { url: "sqlite:${db}" }
pipeline:
  stages:
    - { name: staging, environment: commercial, tier: staging, azs: [az1], percent: 100, bake: 10m }
deployer:
  type: command
  command: sh
  args: ["-c", "touch \\"$0.start\\"; sleep ${seconds}; touch \\"$0.done\\"", "${join(dir, 'step')}"]
  timeout: 60s
metrics: { type: simulated }
`);
  return { dir, file, db };
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Starts serve, posts a build, waits until its staging step runs, sends SIGTERM; resolves with exit code and stderr. */
async function stopDuringStep(file: string, dir: string, drainSeconds: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, cliArgs('serve', '--config', file, '--drain-timeout', String(drainSeconds)), {
    // cwd: the command deployer keeps its process records under ./.releasebot/deploys.
    cwd: dir, env: { ...process.env, RB_TEST_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  await until('serve to listen', () => /listening on http/.test(stderr));
  const url = /listening on (http:\/\/\S+)/.exec(stderr)![1];
  const body = { id: 'b1', sha: 'abc1234', createdAt: '2026-11-26T10:00:00Z', pullRequests: [] };
  const res = await fetch(`${url}/api/builds`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  assert.equal(res.status, 201);
  await until('the deploy step to start', () => existsSync(join(dir, 'step.start')));
  child.kill('SIGTERM');
  return { code: await exited, stderr };
}

async function stagingOutcome(db: string): Promise<string | undefined> {
  const store = await createStore(`sqlite:${db}`);
  try {
    const steps = await store.listSteps({ buildId: 'b1' });
    assert.equal(steps.length, 1);
    return steps[0].outcome;
  } finally {
    await store.close();
  }
}

test('serve on SIGTERM lets a running deploy step finish within --drain-timeout, records it, exits 0', { timeout: 90_000 }, async () => {
  const { dir, file, db } = setup(2);
  const { code, stderr } = await stopDuringStep(file, dir, 20);
  assert.equal(code, 0, stderr);
  assert.ok(existsSync(join(dir, 'step.done')), 'the step ran to its end');
  assert.match(stderr, /received SIGTERM: stopping .*up to 20 s/);
  assert.match(stderr, /stopped: 1 deploy step finished while stopping, none handed over/);
  assert.equal(await stagingOutcome(db), 'succeeded');
});

test('serve on SIGTERM hands a deploy step that outlasts --drain-timeout over to the next start, exits 0', { timeout: 90_000 }, async () => {
  const { dir, file, db } = setup(30);
  const t0 = Date.now();
  const { code, stderr } = await stopDuringStep(file, dir, 1);
  assert.deepEqual(readdirSync(join(dir, '.releasebot', 'deploys')), [], 'the killed command left no process record behind');
  assert.equal(code, 0, stderr);
  assert.ok(Date.now() - t0 < 25_000, 'did not wait for the 30 s step');
  assert.ok(!existsSync(join(dir, 'step.done')), 'the step was stopped');
  assert.match(stderr, /stopped: 1 deploy step handed over to the next start \(deploy:b1:staging\S*\)/);
  assert.equal(await stagingOutcome(db), undefined, 'nothing recorded: the next start performs it again');
});
