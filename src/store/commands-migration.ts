import type { Kysely, Migration } from 'kysely';
import type { Engine } from './schema.js';

/**
 * 0005: the command inbox of replicas. A follower stores a person's hold / stop / resume / rollback
 * (or a build it took in) as a row; the leader applies it and records the outcome on the same row.
 */
export function commandsMigration(engine: Engine): Migration {
  return {
    async up(db: Kysely<any>) {
      const t = db.schema.createTable('commands');
      await (engine === 'postgres' ? t.addColumn('id', 'serial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('created_at', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('commands_status').on('commands').columns(['status', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('commands').ifExists().execute();
    },
  };
}
