import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../cli/check-config.js';

const YAML = [
  'pipeline:',
  '  stages:',
  '    - { name: canary, environment: e, tier: canary, azs: [az1], percent: 100 }',
  'checks:',
  '  - name: errors',
  '    query: http_errors_rate',
  '    dynamic: seasonal',
  '  - { name: latency, query: p95, static: 800, dynamic: dynamic }',
  '  - { name: jobs, query: jobs, dynamic: dynamic, margin: { relative: 0.2 } }',
].join('\n');

test('check-config warns (exit 0) for each check with dynamic set and no static, naming field and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'releasebot-warn-'));
  try {
    const file = join(dir, 'releasebot.yaml');
    writeFileSync(file, YAML);
    const r = await checkConfig(file, { connect: false, env: {} });
    assert.equal(r.exitCode, 0);
    const lines = r.lines;
    assert.equal(lines.at(-1), 'OK');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.equal(lines[0], `${file}:7: checks[0].dynamic: warning: check "errors" has dynamic: seasonal without static: the threshold follows the series' own average with no absolute floor; set static to the lowest level that matters`);
    assert.match(lines[1], /:9: checks\[2\]\.dynamic: warning: check "jobs" has dynamic: dynamic without static/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
