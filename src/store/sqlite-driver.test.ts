import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { availableSqliteDrivers, openSqliteDatabase, SQLITE_DRIVERS, sqliteDriverSkipReason, withoutSqliteWarning } from './sqlite-driver.js';
import { ReleasebotError } from '../domain/errors.js';

const available = availableSqliteDrivers();
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];

describe('SQLite driver choice', () => {
  it('prefers node:sqlite where the runtime has it with columns(), else better-sqlite3', () => {
    const nodeSqliteExpected = major > 22 || (major === 22 && minor >= 16);
    assert.equal(available.includes('node:sqlite'), nodeSqliteExpected, `Node ${process.version}`);
    assert.ok(available.length > 0, 'some driver is usable');
    const { driver, database } = openSqliteDatabase(':memory:', undefined);
    database.close();
    assert.equal(driver, available[0]);
  });

  it('rejects an unknown driver name, naming it and the choices', () => {
    assert.throws(() => openSqliteDatabase(':memory:', 'sqlite3'), (e: unknown) => {
      assert.ok(e instanceof ReleasebotError);
      assert.equal(e.code, 'CONFIG_INVALID');
      assert.match(e.message, /"sqlite3".*node:sqlite or better-sqlite3/);
      return true;
    });
  });

  it("drops only SQLite's ExperimentalWarning while loading node:sqlite", async () => {
    const seen: string[] = [];
    const listener = (w: Error) => seen.push(`${w.name}: ${w.message}`);
    process.on('warning', listener);
    try {
      withoutSqliteWarning(() => {
        process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
        process.emitWarning('something else is experimental', 'ExperimentalWarning');
        process.emitWarning('SQLite: a deprecation', 'DeprecationWarning');
      });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    assert.deepEqual(seen, ['ExperimentalWarning: something else is experimental', 'DeprecationWarning: SQLite: a deprecation']);
  });

  it('leaves process.emitWarning as it was after loading drivers', () => {
    const before = process.emitWarning;
    availableSqliteDrivers();
    assert.equal(process.emitWarning, before);
  });
});

for (const driver of SQLITE_DRIVERS) {
  describe(`SQLite driver ${driver} under Kysely`, { skip: sqliteDriverSkipReason(driver) ?? false }, () => {
    function open(file = ':memory:') {
      const { database } = openSqliteDatabase(file, driver);
      return { database, db: new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database }) }) };
    }

    it('sets the reader flag from whether a statement returns columns', () => {
      const { database } = open();
      try {
        assert.equal(database.prepare('select 1 as a').reader, true);
        assert.equal(database.prepare('create table x (a)').reader, false);
        database.prepare('create table y (a)').run([]);
        assert.equal(database.prepare('insert into y (a) values (?) returning a').reader, true);
        assert.equal(database.prepare('insert into y (a) values (?)').reader, false);
      } finally {
        database.close();
      }
    });

    it('binds parameters, returns plain rows, changes and insert ids', async () => {
      const { db } = open();
      try {
        await sql`create table t (id integer primary key, name text not null)`.execute(db);
        const r = await db.insertInto('t').values({ id: 7, name: 'a' }).executeTakeFirst();
        assert.equal(r.insertId, 7n);
        await db.insertInto('t').values({ id: 8, name: 'b' }).execute();
        const rows = await db.selectFrom('t').selectAll().where('name', '=', 'b').execute();
        assert.deepStrictEqual(rows, [{ id: 8, name: 'b' }]);
        const u = await db.updateTable('t').set({ name: 'c' }).where('id', '>', 0).executeTakeFirst();
        assert.equal(u.numUpdatedRows, 2n);
        const streamed: unknown[] = [];
        for await (const row of db.selectFrom('t').select('id').orderBy('id').stream()) streamed.push(row);
        assert.deepStrictEqual(streamed, [{ id: 7 }, { id: 8 }]);
      } finally {
        await db.destroy();
      }
    });

    it('rolls a failed transaction back and commits a good one', async () => {
      const { db } = open();
      try {
        await sql`create table t (id integer primary key, name text not null)`.execute(db);
        await assert.rejects(db.transaction().execute(async (trx) => {
          await trx.insertInto('t').values({ id: 1, name: 'kept?' }).execute();
          await trx.insertInto('t').values({ id: 1, name: 'duplicate' }).execute();
        }), /UNIQUE/);
        assert.deepStrictEqual(await db.selectFrom('t').selectAll().execute(), []);
        await db.transaction().execute((trx) => trx.insertInto('t').values({ id: 2, name: 'x' }).execute());
        assert.equal((await db.selectFrom('t').selectAll().execute()).length, 1);
      } finally {
        await db.destroy();
      }
    });

    it('opens files in WAL mode with synchronous=FULL and a busy timeout', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rb-sqlite-driver-'));
      const { db } = open(join(dir, 'x.db'));
      try {
        const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
        assert.equal(await pragma('journal_mode'), 'wal');
        assert.equal(await pragma('synchronous'), 2);
        assert.equal(await pragma('busy_timeout'), 5000);
      } finally {
        await db.destroy();
        await db.destroy().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
