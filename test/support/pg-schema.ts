import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';

/** The project machines run PostgreSQL here with trust auth (see docs/architecture.md). */
export const ADMIN_URL = process.env.RELEASEBOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function pgUnreachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${ADMIN_URL} is unreachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Register `name` as skipped (laptop) or failing (CI=true) when PostgreSQL is unreachable; true when it can run. */
export async function needPostgres(name: string): Promise<boolean> {
  const reason = await pgUnreachable();
  if (!reason) return true;
  if (process.env.CI === 'true') {
    test(name, () => {
      throw new Error(`${reason}; required when CI=true`);
    });
  } else {
    console.log(`# skipping ${name}: ${reason}`);
    test(name, { skip: reason }, () => undefined);
  }
  return false;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh schema; `url(host, port)` points a store at it (e.g. through a proxy); `drop` removes it. */
export async function freshSchema(): Promise<{ schema: string; url: (port?: number) => string; drop: () => Promise<void> }> {
  const schema = `rb_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const base = new URL(ADMIN_URL);
  return {
    schema,
    url(port?: number) {
      const u = new URL(base.toString());
      if (port !== undefined) u.port = String(port);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return u.toString();
    },
    drop: () => admin(`DROP SCHEMA ${schema} CASCADE`),
  };
}
