import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createStore } from '../src/store/create.js';
import { runStoreContract } from './store-contract.js';

/** The project machines run PostgreSQL here with trust auth (see docs/architecture.md). */
const ADMIN_URL = process.env.RELEASEBOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Returns why PostgreSQL cannot be used, or undefined when it answers. */
async function unreachable(): Promise<string | undefined> {
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

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const reason = await unreachable();
if (reason && process.env.CI === 'true') {
  test('PostgreSQL store contract', () => {
    throw new Error(`${reason}; required when CI=true`);
  });
} else if (reason) {
  console.log(`# skipping PostgreSQL store contract: ${reason}`);
  test('PostgreSQL store contract', { skip: reason }, () => undefined);
} else {
  // One fresh schema per test, dropped afterwards: runs never see each other's rows.
  runStoreContract('postgres', async () => {
    const schema = `rb_test_${randomBytes(6).toString('hex')}`;
    await admin(`CREATE SCHEMA ${schema}`);
    const sep = ADMIN_URL.includes('?') ? '&' : '?';
    const url = `${ADMIN_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    return {
      open: () => createStore(url),
      dispose: () => admin(`DROP SCHEMA ${schema} CASCADE`),
    };
  });
}
