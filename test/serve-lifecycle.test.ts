import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cliArgs, ROOT, runCli, STACK_LINE } from './support/cli.js';

const PG_URL = process.env.RELEASEBOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function configFile(storeUrl: string, server = 'port: 0'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-life-'));
  const file = join(dir, 'releasebot.yaml');
  writeFileSync(file, `server: { ${server} }
store: { url: "${storeUrl}" }
pipeline:
  stages:
    - { name: staging, environment: commercial, tier: staging, azs: [az1], percent: 100, bake: 10m }
`);
  return file;
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(false); });
    sock.once('error', () => resolve(true));
  });
}

/** Starts serve and resolves with its URL once it listens. */
function startServe(args: string[]): Promise<{ url: string; port: number; stop: (signal: NodeJS.Signals) => Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, cliArgs('serve', ...args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const closed = new Promise<number | null>((r) => child.on('close', r));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+:(\d+))/.exec(err);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ url: m[1], port: Number(m[2]), stop: async (signal) => { child.kill(signal); return { code: await closed, stderr: err }; } });
      }
    });
    void closed.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

test('--version prints the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serve stops on ${signal}: exit 0 and nothing listening on its port`, { timeout: 60_000 }, async () => {
    const file = configFile(`sqlite:${join(mkdtempSync(join(tmpdir(), 'rb-life-db-')), 'rb.db')}`, 'host: 0.0.0.0, port: 1');
    // --host and --port win over the file's server.host and server.port.
    const s = await startServe(['--config', file, '--host', '127.0.0.1', '--port', '0']);
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    const { code, stderr } = await s.stop(signal);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /stopped/);
    assert.ok(await refuses(s.port), `port ${s.port} still accepts connections after exit`);
  });
}

test('serve: a port in use is one line naming the port and what to do, exit 3, no stack trace', { timeout: 60_000 }, async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const file = configFile(`sqlite:${join(mkdtempSync(join(tmpdir(), 'rb-life-db-')), 'rb.db')}`);
    const r = await runCli(['serve', '--config', file, '--port', String(port)]);
    assert.equal(r.code, 3, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use; .*--port`));
    assert.doesNotMatch(r.stderr, STACK_LINE);
  } finally {
    busy.close();
  }
});

test('serve: PostgreSQL not answering is one line, exit 3; --debug adds the stack trace', { timeout: 60_000 }, async () => {
  const file = configFile(`postgres://postgres@127.0.0.1:${await closedPort()}/test`);
  const r = await runCli(['serve', '--config', file]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^releasebot: store: cannot connect to the database: connection refused \(127\.0\.0\.1:\d+\); start it or fix store\.url$/m);
  const debug = await runCli(['serve', '--config', file, '--debug']);
  assert.equal(debug.code, 3);
  assert.match(debug.stderr, STACK_LINE);
});

test('serve: an unknown store scheme is a configuration error, exit 2', { timeout: 60_000 }, async () => {
  const r = await runCli(['serve', '--config', configFile('mysql://db.example.com/releasebot')]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /store\.url .*unknown scheme/);
  assert.doesNotMatch(r.stderr, STACK_LINE);
});

test('serve: without --config or RELEASEBOT_CONFIG says what to pass, exit 2', async () => {
  const r = await runCli(['serve'], { env: { RELEASEBOT_CONFIG: '' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /pass --config FILE or set RELEASEBOT_CONFIG/);
});

test('serve: a PostgreSQL schema that does not exist yet is created', { timeout: 60_000 }, async (t) => {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    const reason = `PostgreSQL at ${PG_URL} is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; required when CI=true`);
    t.skip(reason);
    return;
  }
  // Two schemas in one database: the second must get its own tables too (Kysely looks for its
  // bookkeeping tables in every schema unless told which one).
  const schemas = [0, 1].map((i) => `rb_life_${Date.now().toString(36)}_${i}`);
  try {
    for (const schema of schemas) {
      const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const s = await startServe(['--config', configFile(url)]);
      assert.equal((await s.stop('SIGTERM')).code, 0);
      const r = await admin.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'builds'", [schema]);
      assert.equal(r.rows[0].n, 1, `no builds table in the new schema ${schema}`);
    }
  } finally {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
});

test('serve started by npm (npx releasebot serve) stops cleanly when its launcher is killed, instead of living on as an orphan', { timeout: 60_000 }, async () => {
  const file = configFile(`sqlite:${join(mkdtempSync(join(tmpdir(), 'rb-life-db-')), 'rb.db')}`);
  // A shell that does not exec its command, as npm exec's does; npm_command marks an npm launch.
  const quoted = [process.execPath, ...cliArgs('serve', '--config', file, '--port', '0')].map((a) => `'${a}'`).join(' ');
  const launcher = spawn('sh', ['-c', `${quoted}; true`], { env: { ...process.env, npm_command: 'exec' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  launcher.stderr.on('data', (d) => (err += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on http:\/\/\S+:(\d+)/.exec(err);
      if (m) { clearInterval(timer); resolve(Number(m[1])); }
    }, 100);
    setTimeout(() => { clearInterval(timer); reject(new Error(`serve did not start: ${err}`)); }, 30_000);
  });
  launcher.kill('SIGKILL');
  // The server's stderr is still our pipe: it ends when the server has exited.
  await new Promise((r) => launcher.stderr.once('end', r));
  assert.match(err, /the end of its npm launcher: stopping/);
  assert.match(err, /stopped/);
  assert.ok(await refuses(port), `port ${port} still accepts connections`);
});
