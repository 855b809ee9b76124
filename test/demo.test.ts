import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliArgs } from './support/cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { DemoSummary } from '../src/app/demo-run.js';

const STAGE_ORDER = ['staging', 'dogfood', 'canary', 'prod-10', 'prod-25', 'prod-50', 'prod-100'];

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A scratch working directory: the demo's SQLite file goes under ./.releasebot/ there.
    const cwd = mkdtempSync(join(tmpdir(), 'rb-demo-'));
    const child = spawn(process.execPath, cliArgs('demo', ...args), {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('demo --exit-when-done --json: the bad build is rolled back before production 10%, the incident and the daily spike are not blamed', { timeout: 300_000 }, async () => {
  const { code, stdout, stderr } = await runDemo(['--exit-when-done', '--json', '--port', '0']);
  assert.equal(code, 0, `demo exited ${code}: ${stderr.slice(-2000)}`);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `stdout must hold exactly one JSON object, got:\n${stdout.slice(0, 2000)}`);
  const s = JSON.parse(lines[0]) as DemoSummary;
  for (const key of ['builds', 'reachedProduction', 'rolledBack', 'tainted', 'decisions']) assert.ok(key in s, `summary lacks ${key}`);
  assert.ok(s.builds >= 6, `6 scripted builds (plus any revert), got ${s.builds}`);
  assert.ok(s.reachedProduction >= 1, 'at least one good build reaches production');
  assert.equal(s.badBuilds.length, 1);
  const bad = s.badBuilds[0];
  assert.equal(bad.status, 'tainted', `bad build ${bad.id} must be tainted, is ${bad.status}`);
  assert.ok(STAGE_ORDER.indexOf(bad.furthestStage) < STAGE_ORDER.indexOf('prod-10'), `bad build reached ${bad.furthestStage}`);
  const rollbacks = s.decisions.filter((d) => d.kind === 'rollback');
  assert.ok(rollbacks.length >= 1, 'the bot rolled back');
  for (const r of rollbacks) assert.equal(r.buildId, bad.id, `only the bad build is rolled back, not ${r.buildId} (${r.reason})`);
  assert.ok(rollbacks.every((r) => r.actor.startsWith('bot:')), 'the rollback was automatic');
  // The 14:00 UTC daily spike (14:00 to 14:20) must raise at most white signals on good builds.
  const day = new Date(s.decisions[0].at);
  const spikeStart = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 14, 0);
  const spikeEvents = s.events.filter((e) => e.buildId !== bad.id && e.openedAt >= spikeStart && e.openedAt < spikeStart + 20 * 60_000);
  for (const e of spikeEvents) assert.equal(e.severity, 'white', `spike raised ${e.severity} on ${e.buildId}@${e.stage}: ${e.summary}`);
});

test('live demo: the same story as --exit-when-done (paced by the virtual clock), a summary at the end, the UI kept up until Ctrl-C', { timeout: 300_000 }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'rb-demo-live-'));
  // A very high speed: pacing never waits, so this runs as fast as the machine allows, like a loaded machine would.
  const child = spawn(process.execPath, cliArgs('demo', '--port', '0', '--speed', '100000'), { cwd, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  const summary = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /demo done: (\d+) builds, (\d+) reached production, (\d+) rolled back \((b\d+) tainted at (\S+)\)/.exec(out);
      if (m) { clearInterval(timer); resolve(m); }
    }, 200);
    void closed.then((code) => { clearInterval(timer); reject(new Error(`demo exited ${code} before its summary:\n${out.slice(-2000)}`)); });
  });
  const [, builds, reached, rolledBack, badId, badStage] = summary;
  const stepped = await runDemo(['--exit-when-done', '--json', '--port', '0']);
  const s = JSON.parse(stepped.stdout) as DemoSummary;
  assert.deepEqual([Number(builds), Number(reached), Number(rolledBack), badId, badStage], [s.builds, s.reachedProduction, s.rolledBack, s.badBuilds[0].id, s.badBuilds[0].furthestStage]);
  assert.ok(Number(rolledBack) >= 1, 'the bad build was rolled back');
  assert.match(out, /press Ctrl-C to stop/);
  const url = /releasebot UI: (http:\/\/\S+)/.exec(out)![1];
  assert.equal((await fetch(`${url}/api/pipeline`)).status, 200, 'the UI is still served after the summary');
  child.kill('SIGINT');
  assert.equal(await closed, 0);
});
