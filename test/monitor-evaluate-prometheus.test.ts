import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPrometheus } from './support/prometheus.js';
import type { EvaluateOutput } from '../src/cli/evaluate.js';

const run = promisify(execFile);

/** `releasebot evaluate` end to end against a real Prometheus with 8 days of backfilled fleet history. */
test('releasebot evaluate --json against a real Prometheus', { timeout: 180_000 }, async (t) => {
  const server = await startPrometheus({ days: 8 });
  if ('skip' in server) {
    t.skip(server.skip);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'releasebot-eval-'));
  try {
    const config = join(dir, 'releasebot.yaml');
    await writeFile(
      config,
      [
        'pipeline:',
        '  stages:',
        '    - { name: canary, environment: commercial, tier: canary, azs: [az1, az2], percent: 100 }',
        `metrics: { type: prometheus, url: "${server.url}" }`,
        'checks:',
        '  - { name: errors, query: "sum by (environment, tier, az) (http_errors_rate)", static: 100, dynamic: seasonal }',
        '  - { name: latency, query: "http_latency_p95_ms", direction: up, detector: { type: zscore } }',
        '  - { name: broken, query: "sum(rate(" }',
      ].join('\n'),
    );
    const args = ['tsx', 'src/cli/main.ts', 'evaluate', '--config', config, '--at', new Date(server.endMs).toISOString(), '--scope', 'tier=canary,az=az1', '--json'];
    const res = await run('npx', args, { cwd: process.cwd() }).catch((e: { stdout: string; code: number }) => e);
    const out = JSON.parse(res.stdout) as EvaluateOutput;
    assert.equal(out.at, new Date(server.endMs).toISOString());
    const errors = out.checks.find((c) => c.name === 'errors')!;
    assert.equal(errors.series.length, 5, 'the five backfilled cells');
    const inScope = errors.series.filter((s) => s.inScope);
    assert.deepEqual(inScope.map((s) => `${s.labels.tier}/${s.labels.az}/${s.labels.environment}`), ['canary/az1/commercial']);
    for (const s of errors.series) {
      assert.ok(['pass', 'breach', 'inconclusive'].includes(s.verdict), `${JSON.stringify(s)}`);
      assert.equal(typeof s.threshold, 'number', 'the threshold in force is reported');
      assert.match(s.reason, /default: .*; seasonal: /);
    }
    const latency = out.checks.find((c) => c.name === 'latency')!;
    assert.ok(latency.series.some((s) => typeof s.z === 'number' && typeof s.mean === 'number' && typeof s.std === 'number'));
    const broken = out.checks.find((c) => c.name === 'broken')!;
    assert.match(broken.error ?? '', /QUERY_FAILED/);
    assert.equal((res as { code?: number }).code, 1, 'a failing check makes the exit code 1');
  } finally {
    await rm(dir, { recursive: true, force: true });
    await server.stop();
  }
});
