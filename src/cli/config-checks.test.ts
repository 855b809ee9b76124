import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from './check-config.js';

const dir = mkdtempSync(join(tmpdir(), 'rb-checks-'));
let n = 0;

/** A config file: a valid minimal base with `extra` YAML appended. */
function file(extra: string, store = `sqlite:${join(dir, 'rb.db')}`): string {
  const f = join(dir, `c${n++}.yaml`);
  writeFileSync(f, `store:
  url: "${store}"
pipeline:
  stages:
    - { name: staging, environment: e, tier: staging, azs: [az1], percent: 100 }
${extra}`);
  return f;
}

const env = { PATH: '/usr/bin:/bin' };

test('a valid file with a simulated deployer is OK, exit 0', async () => {
  const r = await checkConfig(file(''), { connect: false, env });
  assert.deepEqual(r, { lines: ['OK'], exitCode: 0 });
});

test('an unknown store scheme fails at store.url with its line, exit 2', async () => {
  const f = file('', 'mysql://db.example.com/rb');
  const r = await checkConfig(f, { connect: false, env });
  assert.equal(r.exitCode, 2);
  assert.equal(r.lines.length, 1);
  assert.match(r.lines[0], new RegExp(`^${f}:2: store\\.url: "mysql://db\\.example\\.com/rb": unknown scheme`));
});

test('replicas.enabled: true with an SQLite store fails at replicas.enabled with its line, exit 2', async () => {
  const f = file('replicas:\n  enabled: true\n');
  const r = await checkConfig(f, { connect: false, env });
  assert.equal(r.exitCode, 2);
  assert.match(r.lines[0], new RegExp(`^${f}:7: replicas\\.enabled: true needs a PostgreSQL store`));
  assert.equal((await checkConfig(file('replicas:\n  enabled: false\n'), { connect: false, env })).exitCode, 0);
});

test('a deploy command that does not exist, is not executable, or is not on PATH fails at deployer.command', async () => {
  const script = join(dir, 'deploy.sh');
  writeFileSync(script, '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o644);
  const cases: Array<[string, RegExp]> = [
    [join(dir, 'no-such-deploy'), /does not exist/],
    [script, /is not executable by this user \(chmod \+x/],
    ['no-such-deploy-tool', /"no-such-deploy-tool" is not on PATH/],
    [dir, /is not a file/],
  ];
  for (const [command, expected] of cases) {
    const f = file(`deployer:\n  type: command\n  command: ${command}\n`);
    const r = await checkConfig(f, { connect: false, env });
    assert.equal(r.exitCode, 2, command);
    assert.match(r.lines.join('\n'), new RegExp(`^${f}:8: deployer\\.command: .*${expected.source}`), command);
  }
  chmodSync(script, 0o755);
  for (const command of [script, 'true']) {
    const r = await checkConfig(file(`deployer:\n  type: command\n  command: "${command}"\n`), { connect: false, env });
    assert.deepEqual(r, { lines: ['OK'], exitCode: 0 }, command);
  }
});

test('malformed Slack channels, user ids and group ids are each reported at their line', async () => {
  const f = file(`notify:
  slack:
    token: xoxb-1
    signingSecret: s
    deploysChannel: "deploys"
    teamChannel: "#Team Channel"
    allowedUsers: [U0123ABCD, ada]
    allowedGroups: [S0DEPLOYERS, deployers]
`);
  const r = await checkConfig(f, { connect: false, env });
  assert.equal(r.exitCode, 2);
  assert.equal(r.lines.length, 4, r.lines.join('\n'));
  assert.match(r.lines[0], new RegExp(`^${f}:10: notify\\.slack\\.deploysChannel: "deploys" is not a Slack channel`));
  assert.match(r.lines[1], /:11: notify\.slack\.teamChannel: "#Team Channel" is not a Slack channel/);
  assert.match(r.lines[2], /notify\.slack\.allowedUsers\[1\]: "ada" is not a Slack user id/);
  assert.match(r.lines[3], /notify\.slack\.allowedGroups\[1\]: "deployers" is not a Slack user-group id/);
  const good = file(`notify:\n  slack: { token: xoxb-1, signingSecret: s, deploysChannel: "#deploys", teamChannel: C0123ABCD, allowedUsers: [W0123ABCD] }\n`);
  assert.deepEqual(await checkConfig(good, { connect: false, env }), { lines: ['OK'], exitCode: 0 });
});

test('duplicate check names are reported, exit 2', async () => {
  const f = file(`checks:\n  - { name: errors, query: a }\n  - { name: errors, query: b }\n`);
  const r = await checkConfig(f, { connect: false, env });
  assert.equal(r.exitCode, 2);
  assert.match(r.lines.join('\n'), /checks\[1\]\.name: duplicate check name "errors"/);
});
