import { createRequire } from 'node:module';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { ReleasebotError } from '../domain/errors.js';

/**
 * The SQLite driver under Kysely's SqliteDialect. `node:sqlite` is Node's built-in module (no native
 * addon to build or to crash at exit); `better-sqlite3` is the optional native addon for runtimes
 * without a usable `node:sqlite` (Node 20, Node 22 before 22.16). `createStore` picks the first
 * available in that order unless told otherwise (`RELEASEBOT_SQLITE_DRIVER`).
 */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';
export const SQLITE_DRIVERS: readonly SqliteDriverName[] = ['node:sqlite', 'better-sqlite3'];

const require = createRequire(import.meta.url);

/** The part of node:sqlite this module uses (typed here: @types/node for Node 20 has none). */
interface NodeStatement {
  columns(): unknown[];
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>;
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}
interface NodeDatabase {
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabase;
  StatementSync: { prototype: Partial<NodeStatement> };
}
interface BetterDatabase extends SqliteDatabase {
  pragma(source: string): unknown;
}
type BetterConstructor = new (path: string) => BetterDatabase;

/**
 * Loads node:sqlite, hiding only its own ExperimentalWarning (Node 22 prints one on first load; the
 * module is what we chose, the warning tells operators nothing). Undefined when the runtime has no
 * node:sqlite (Node 20, or Node 22 before 22.13 without --experimental-sqlite) or when its statements
 * cannot say whether they return rows (`columns()`, Node 22.16+), which Kysely needs.
 */
function loadNodeSqlite(): NodeSqliteModule | undefined {
  try {
    const mod = withoutSqliteWarning(() => require('node:sqlite') as NodeSqliteModule);
    return typeof mod.StatementSync?.prototype?.columns === 'function' ? mod : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `fn` with SQLite's ExperimentalWarning dropped; every other warning goes out as usual. */
export function withoutSqliteWarning<T>(fn: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = function filtered(this: unknown, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.message;
    if (type === 'ExperimentalWarning' && /SQLite/i.test(text)) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = emit;
  }
}

let better: { ctor?: BetterConstructor } | undefined;

/** better-sqlite3 when it is installed and its native module loads on this runtime (checked once). */
function loadBetterSqlite3(): BetterConstructor | undefined {
  if (!better) {
    try {
      const ctor = require('better-sqlite3') as BetterConstructor;
      // The native module loads on the first open: a build for another Node fails here, not later.
      new ctor(':memory:').close();
      better = { ctor };
    } catch {
      better = {};
    }
  }
  return better.ctor;
}

/**
 * Why the test suites skip `driver` on this runtime, or undefined when they run it: a driver that
 * is not usable, and better-sqlite3 12 on Node 24+, where it can abort the process in a statement
 * finalizer (releasebot never picks it there; docs/operations.md, "SQLite driver").
 */
export function sqliteDriverSkipReason(driver: SqliteDriverName): string | undefined {
  if (!availableSqliteDrivers().includes(driver)) return `${driver} is not usable on Node ${process.version}`;
  if (driver === 'better-sqlite3' && Number(process.versions.node.split('.')[0]) >= 24) {
    return `better-sqlite3 12 can abort Node ${process.version} in a statement finalizer; node:sqlite is the driver here`;
  }
  return undefined;
}

/** The drivers this runtime can use, in the order `createStore` prefers them. */
export function availableSqliteDrivers(): SqliteDriverName[] {
  const out: SqliteDriverName[] = [];
  if (loadNodeSqlite()) out.push('node:sqlite');
  if (loadBetterSqlite3()) out.push('better-sqlite3');
  return out;
}

/** Plain objects, as better-sqlite3 returns them (node:sqlite's rows have a null prototype). */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.assign({}, row);
}

/** node:sqlite behind the better-sqlite3-shaped interface Kysely's SqliteDialect calls. */
class NodeSqliteDatabase implements SqliteDatabase {
  constructor(private readonly db: NodeDatabase) {}

  prepare(sql: string): SqliteStatement {
    const stmt = this.db.prepare(sql);
    return {
      // better-sqlite3's `reader` is "the statement returns columns"; columns() says the same.
      reader: stmt.columns().length > 0,
      all: (params) => stmt.all(...params).map(plain),
      run: (params) => stmt.run(...params),
      iterate: function* iterate(params) {
        for (const row of stmt.iterate(...params)) yield plain(row);
      },
    };
  }

  pragma(source: string): void {
    this.db.exec(`PRAGMA ${source}`);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

export interface OpenedSqlite {
  driver: SqliteDriverName;
  database: SqliteDatabase;
}

/** Which driver to use: the one asked for (argument, then RELEASEBOT_SQLITE_DRIVER), else the first available. */
function choose(requested: string | undefined): SqliteDriverName {
  if (requested !== undefined && requested !== '') {
    if (!(SQLITE_DRIVERS as readonly string[]).includes(requested)) {
      throw new ReleasebotError('CONFIG_INVALID', `RELEASEBOT_SQLITE_DRIVER "${requested}": unknown SQLite driver (use ${SQLITE_DRIVERS.join(' or ')})`, { requested });
    }
    return requested as SqliteDriverName;
  }
  const [first] = availableSqliteDrivers();
  if (!first) {
    throw new ReleasebotError(
      'STORE_FAILED',
      `no SQLite driver: this Node (${process.version}) has no usable node:sqlite and better-sqlite3 is not installed or not built for it (use Node >= 22.16, or npm rebuild better-sqlite3)`,
      {},
    );
  }
  return first;
}

/**
 * Opens an SQLite database with the store's settings: WAL for files (readers do not block the
 * writer), synchronous=FULL (a write is on disk when its promise resolves, the Store's durability
 * promise), busy_timeout 5 s (another process holding the lock is waited for, not failed).
 */
export function openSqliteDatabase(file: string, requested = process.env.RELEASEBOT_SQLITE_DRIVER): OpenedSqlite {
  const driver = choose(requested);
  let database: SqliteDatabase & { pragma(source: string): unknown };
  if (driver === 'node:sqlite') {
    const mod = loadNodeSqlite();
    if (!mod) throw new ReleasebotError('STORE_FAILED', `SQLite driver node:sqlite is not usable on Node ${process.version} (it needs Node >= 22.16)`, {});
    database = new NodeSqliteDatabase(new mod.DatabaseSync(file));
  } else {
    const Better = loadBetterSqlite3();
    if (!Better) throw new ReleasebotError('STORE_FAILED', `SQLite driver better-sqlite3 is not installed or not built for Node ${process.version} (npm rebuild better-sqlite3, or use Node >= 22.16 for node:sqlite)`, {});
    database = new Better(file);
  }
  try {
    if (file !== ':memory:') database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('busy_timeout = 5000');
  } catch (err) {
    database.close();
    throw err;
  }
  return { driver, database };
}
