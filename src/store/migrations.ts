import { type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Engine } from './schema.js';
import { gateRecordsMigration } from './gate-records-migration.js';
import { commandsMigration } from './commands-migration.js';

/** Time columns: double precision, because virtual clocks may produce fractional milliseconds. */
const TIME = 'double precision';

/**
 * Adds an auto-incrementing integer primary key. The only place the engines differ:
 * SQLite spells it `integer primary key autoincrement`, PostgreSQL `serial primary key`.
 */
function withSeq<T extends string>(t: CreateTableBuilder<T, never>, name: string, engine: Engine): CreateTableBuilder<T, never> {
  return engine === 'postgres'
    ? t.addColumn(name, 'serial', (c) => c.primaryKey())
    : t.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Version 1: every table the Store interface needs. */
function initial(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      await withSeq(db.schema.createTable('builds'), 'seq', engine)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('pipeline_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();

      await withSeq(db.schema.createTable('decisions'), 'seq', engine)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', TIME, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('build_id', 'text')
        .addColumn('stage', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('decisions_build').on('decisions').columns(['build_id', 'at']).execute();

      await db.schema
        .createTable('deploy_steps')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('build_id', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('started_at', TIME, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deploy_steps_build').on('deploy_steps').columns(['build_id', 'started_at']).execute();

      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('build_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('opened_at', TIME, (c) => c.notNull())
        .addColumn('updated_at', TIME, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_status').on('events').columns(['status', 'opened_at']).execute();

      await withSeq(db.schema.createTable('outbox'), 'id', engine)
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', TIME, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', TIME, (c) => c.notNull())
        .addUniqueConstraint('outbox_target_key', ['target', 'key'])
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('kv')
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('kv_pk', ['namespace', 'key'])
        .execute();

      await withSeq(db.schema.createTable('audit'), 'seq', engine)
        .addColumn('at', TIME, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('allowed', 'integer', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['audit', 'kv', 'outbox', 'events', 'deploy_steps', 'decisions', 'pipeline_state', 'builds']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/** 0003: server-side UI sessions, so logout and a password change can revoke them. */
function sessions(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('credential', 'text', (c) => c.notNull())
        .addColumn('created_at', TIME, (c) => c.notNull())
        .addColumn('expires_at', TIME, (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_name').execute();
      await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('sessions').ifExists().execute();
    },
  };
}
/** Version 2: leader leases with fencing tokens (two replicas on PostgreSQL). */
const leases: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('token', 'integer', (c) => c.notNull())
      .addColumn('expires_at', TIME, (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('leases').ifExists().execute();
  },
};

/**
 * The one migration set, in code (no files to ship). Names sort in apply order.
 * Add new migrations as new entries; never edit an applied one.
 */
export function migrations(engine: Engine): Record<string, Migration> {
  return { '0001_initial': initial(engine), '0002_leases': leases, '0003_sessions': sessions(), '0004_gate_records': gateRecordsMigration, '0005_commands': commandsMigration(engine) };
}

/** A Kysely MigrationProvider over the in-code migration set. */
export function migrationProvider(engine: Engine): MigrationProvider {
  return { getMigrations: async () => migrations(engine) };
}
