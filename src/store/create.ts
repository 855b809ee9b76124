import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { ReleasebotError } from '../domain/errors.js';
import type { Store } from './store.js';
import type { Database } from './schema.js';
import { KyselyStore } from './kysely-store.js';
import { guardStore } from './guarded-store.js';
import { ensurePostgresSchema } from './pg-schema.js';
import { openSqliteDatabase, type SqliteDriverName } from './sqlite-driver.js';

/** The default store URL: an SQLite file under `./.releasebot/`. */
export const DEFAULT_STORE_URL = 'sqlite:./.releasebot/releasebot.db';

/** Where a store URL points, parsed. */
export type StoreTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/**
 * Parses a store URL. `sqlite:PATH` (relative or absolute; `sqlite:///abs/path` also works),
 * `sqlite::memory:` (in-memory, for tests), `postgres://...` or `postgresql://...`
 * (libpq-style; `?options=-c%20search_path%3Dmy_schema` selects a schema).
 */
export function parseStoreUrl(url: string): StoreTarget {
  if (url.startsWith('sqlite:')) {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') throw new ReleasebotError('CONFIG_INVALID', `store.url "${url}": missing SQLite file path`, { url });
    return { engine: 'sqlite', file };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { engine: 'postgres', url };
  throw new ReleasebotError(
    'CONFIG_INVALID',
    `store.url "${redact(url)}": unknown scheme (use sqlite:PATH, sqlite::memory: or postgres://user@host:port/db)`,
    { url: redact(url) },
  );
}

/** Hides a password in a URL before it goes into a message. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

function openSqlite(file: string, driver: SqliteDriverName | undefined): Kysely<Database> {
  // Create the directory: the default URL points into ./.releasebot/, which a fresh clone lacks.
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const { database } = openSqliteDatabase(file, driver);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export interface CreateStoreOptions {
  /** SQLite only: the driver to use (default: RELEASEBOT_SQLITE_DRIVER, else node:sqlite where usable, else better-sqlite3). */
  sqliteDriver?: SqliteDriverName;
}

/**
 * Opens the store a URL points to and runs migrations to the latest version.
 * Throws CONFIG_INVALID for an unknown scheme or SQLite driver, STORE_FAILED when the database
 * cannot be reached or migrated.
 */
export async function createStore(url: string = DEFAULT_STORE_URL, options: CreateStoreOptions = {}): Promise<Store> {
  const target = parseStoreUrl(url);
  let db: Kysely<Database>;
  try {
    db = target.engine === 'sqlite' ? openSqlite(target.file, options.sqliteDriver) : openPostgres(target.url);
  } catch (err) {
    if (err instanceof ReleasebotError) throw err;
    throw new ReleasebotError('STORE_FAILED', `cannot open store ${redact(url)}: ${(err as Error).message}`, { url: redact(url) }, { cause: err });
  }
  const store = new KyselyStore(db, target.engine);
  try {
    const schema = target.engine === 'postgres' ? await ensurePostgresSchema(db, target.url) : undefined;
    await store.migrate(schema);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    if (err instanceof ReleasebotError) throw err;
    throw new ReleasebotError('STORE_FAILED', `cannot open store ${redact(url)}: ${(err as Error).message}`, { url: redact(url) }, { cause: err });
  }
  return guardStore(store);
}
