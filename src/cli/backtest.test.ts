import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DATA = '/work/shared/data/nab-dev';
const missing = !existsSync(join(DATA, 'data'));
if (missing) {
  if (process.env.CI === 'true') throw new Error(`NAB dev data missing at ${DATA}`);
  console.log(`skipping backtest CLI test: ${DATA} not found`);
}

test('releasebot backtest nab scores the dev subset and writes result CSVs', { skip: missing && `${DATA} not found` }, () => {
  const out = mkdtempSync(join(tmpdir(), 'nab-'));
  try {
    const stdout = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'backtest', 'nab', '--data', DATA, '--out', out, '--json'], { encoding: 'utf8' });
    const r = JSON.parse(stdout);
    assert.equal(r.files, 34);
    assert.equal(r.windows, 50);
    assert.ok(r.profiles.standard >= 45, `standard ${r.profiles.standard}`);
    assert.deepEqual(Object.keys(r.profiles).sort(), ['reward_low_FN_rate', 'reward_low_FP_rate', 'standard']);
    const csv = readFileSync(join(out, 'realAWSCloudwatch', 'ec2_cpu_utilization_24ae8d.csv'), 'utf8').split('\n');
    assert.equal(csv[0], 'timestamp,value,anomaly_score,alarm');
    assert.match(csv[1], /^2014-\d\d-\d\d \d\d:\d\d:\d\d,[\d.]+,[\d.e-]+,[01]$/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
