import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createStore } from '../src/store/create.js';
import { runStoreContract } from './store-contract.js';
import { ADMIN_URL, pgUnreachable } from './support/pg-schema.js';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const reason = await pgUnreachable();
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
