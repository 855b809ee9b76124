import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../src/cli/check-config.js';
import { FakeSlack } from './support/slack-server.js';
import { startPrometheus } from './support/prometheus.js';
import { freePort } from './support/prometheus-history.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-connect-'));

function file(store: string, prometheus: string, slackApi: string): string {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, `store: { url: "${store}" }
pipeline:
  stages:
    - { name: staging, environment: e, tier: staging, azs: [az1], percent: 100 }
metrics: { type: prometheus, url: "${prometheus}", timeout: 5s }
notify:
  slack: { token: xoxb-test, signingSecret: s, apiUrl: "${slackApi}", deploysChannel: "#deploys" }
`);
  return f;
}

test('check-config --connect opens the store, queries Prometheus and calls Slack auth.test; a failure exits 3', { timeout: 180_000 }, async (t) => {
  const prom = await startPrometheus({ days: 1 });
  if ('skip' in prom) return t.skip(prom.skip);
  const slack = await new FakeSlack().start();
  try {
    const ok = await checkConfig(file(`sqlite:${join(dir, 'ok.db')}`, prom.url, slack.url), { connect: true });
    assert.equal(ok.exitCode, 0, ok.lines.join('\n'));
    assert.deepEqual(ok.lines.map((l) => l.split(':')[0]), ['ok store', 'ok prometheus', 'ok slack', 'OK']);
    assert.equal(slack.ok('auth.test').length, 1, 'auth.test was called once');

    slack.failNext('auth.test', { error: 'invalid_auth' });
    const deadProm = `http://127.0.0.1:${await freePort()}`;
    const bad = await checkConfig(file(`postgres://postgres@127.0.0.1:${await freePort()}/test`, deadProm, slack.url), { connect: true });
    assert.equal(bad.exitCode, 3, bad.lines.join('\n'));
    assert.match(bad.lines[0], /^FAILED store: cannot connect to the database: connection refused/);
    assert.match(bad.lines[1], new RegExp(`^FAILED prometheus: .*${deadProm.replace(/[.:/]/g, '\\$&')}.*; check metrics\\.url`));
    assert.match(bad.lines[2], /^FAILED slack: auth\.test failed: .*invalid_auth/);
    assert.equal(bad.lines.length, 3);
  } finally {
    await slack.stop();
    await prom.stop();
  }
});
