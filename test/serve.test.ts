import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs } from './support/cli.js';

const TOKEN = 'ci-token-0123456789';

function config(dir: string): string {
  const file = join(dir, 'releasebot.yaml');
  writeFileSync(
    file,
    `server:
  port: 0
  apiTokens: ["\${RB_TEST_TOKEN}"]
store:
  url: sqlite:${join(dir, 'rb.db')}
pipeline:
  stages:
    - { name: staging, environment: commercial, tier: staging, azs: [az1], percent: 100, bake: 10m }
    - { name: production, environment: commercial, tier: production, azs: [az1, az2], percent: 100, bake: 10m }
deployer:
  type: command
  command: "true"
  timeout: 10s
metrics:
  type: simulated
`,
  );
  return file;
}

/** Starts `releasebot serve` and resolves with its URL once it listens. */
function serve(file: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, cliArgs('serve', '--config', file), {
    env: { ...process.env, RB_TEST_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited });
      }
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const build = {
  id: 'b42', sha: 'abc1234', createdAt: '2026-11-26T10:00:00Z', ciUrl: 'https://ci.example.com/42',
  pullRequests: [{ number: 7, title: 'Fix it', url: 'https://git.example.com/pull/7', authorName: 'Ada', authorSlackId: 'U1', codeOwners: ['@web'] }],
};

test('serve: accepts a build with the token, keeps it across a restart, and deploys it with the command deployer', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-serve-'));
  const file = config(dir);
  const first = await serve(file);
  const post = (token: string) =>
    fetch(`${first.url}/api/builds`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(build) });
  assert.equal((await post('wrong-token-000000')).status, 401);
  assert.equal((await post(TOKEN)).status, 201);
  // The command deployer runs `true` for staging; the build is then baking there.
  let phase = '';
  for (let i = 0; i < 100 && phase !== 'baking'; i++) {
    const p = (await (await fetch(`${first.url}/api/pipeline`)).json()) as { environments: Array<{ stages: Array<{ name: string; buildId: string | null; phase: string }> }> };
    const staging = p.environments[0].stages.find((s) => s.name === 'staging')!;
    phase = staging.buildId === 'b42' ? staging.phase : '';
    if (phase !== 'baking') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(phase, 'baking', 'b42 deployed to staging by the command deployer');
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const second = await serve(file);
  try {
    const r = await fetch(`${second.url}/api/builds/b42`);
    assert.equal(r.status, 200, 'the accepted build survived the restart');
    const body = (await r.json()) as { build: { id: string; pullRequests: unknown[] } };
    assert.equal(body.build.id, 'b42');
    assert.equal(body.build.pullRequests.length, 1);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
});

test('serve: an invalid config exits 2 and names the field and line', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rb-serve-bad-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'pipeline:\n  stages:\n    - { name: s, environment: e, tier: t, azs: [a], percent: 250 }\n');
  const child = spawn(process.execPath, cliArgs('serve', '--config', file), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 2);
  assert.match(err, /bad\.yaml:3: pipeline\.stages\[0\]\.percent/);
});
