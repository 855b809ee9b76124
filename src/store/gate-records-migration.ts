import type { Kysely, Migration } from 'kysely';

/** 0004: the promotion gate's evidence, one row per stored evaluation (see domain/gate.ts). */
export const gateRecordsMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('gate_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('build_id', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('evaluated_at', 'double precision', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('gate_records_build').on('gate_records').columns(['build_id', 'evaluated_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('gate_records').ifExists().execute();
  },
};
