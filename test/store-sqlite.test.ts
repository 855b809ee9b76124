import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, parseStoreUrl } from '../src/store/create.js';
import { SQLITE_DRIVERS, sqliteDriverSkipReason } from '../src/store/sqlite-driver.js';
import { ReleasebotError } from '../src/domain/errors.js';
import { runStoreContract } from './store-contract.js';

// The contract runs once per SQLite driver this runtime has (node:sqlite on Node >= 22.16,
// better-sqlite3 where it is installed, except on Node 24+); others are skipped with the reason.
for (const driver of SQLITE_DRIVERS) {
  const skip = sqliteDriverSkipReason(driver);
  if (skip) {
    describe(`store contract: sqlite file (${driver})`, () => {
      it.skip(skip, () => undefined);
    });
    continue;
  }
  runStoreContract(`sqlite file (${driver})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-store-'));
    // A nested path proves createStore creates missing directories.
    const url = `sqlite:${join(dir, 'nested', 'releasebot.db')}`;
    return { open: () => createStore(url, { sqliteDriver: driver }), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  });
}

describe('createStore (sqlite)', () => {
  it('opens an in-memory store', async () => {
    const s = await createStore('sqlite::memory:');
    assert.equal(await s.putBuild({ id: 'b', sha: 's', createdAt: 'x', receivedAt: 'y', pullRequests: [] }), 'created');
    assert.equal((await s.listBuilds()).length, 1);
    await s.close();
  });

  it('creates the directory of a relative path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-store-rel-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const s = await createStore('sqlite:./.releasebot/releasebot.db');
      await s.close();
      assert.ok(existsSync(join(dir, '.releasebot', 'releasebot.db')));
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses URLs and rejects unknown schemes naming the url', async () => {
    assert.deepEqual(parseStoreUrl('sqlite:///var/lib/rb.db'), { engine: 'sqlite', file: '/var/lib/rb.db' });
    assert.deepEqual(parseStoreUrl('sqlite::memory:'), { engine: 'sqlite', file: ':memory:' });
    assert.equal(parseStoreUrl('postgresql://u@h/db').engine, 'postgres');
    await assert.rejects(createStore('mysql://root:secret@db/rb'), (e: unknown) => {
      assert.ok(e instanceof ReleasebotError);
      assert.equal(e.code, 'CONFIG_INVALID');
      assert.match(e.message, /mysql:\/\/root:\*\*\*@db\/rb/);
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
  });
});
