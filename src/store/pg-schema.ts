import { sql, type Kysely } from 'kysely';
import { ReleasebotError } from '../domain/errors.js';
import type { Database } from './schema.js';

/**
 * The schema a PostgreSQL store URL selects with `?options=-c search_path=NAME` (the first name of
 * the path), or undefined when the URL leaves the server's default (`public`).
 */
export function schemaOfUrl(url: string): string | undefined {
  let options: string | null;
  try {
    options = new URL(url).searchParams.get('options');
  } catch {
    return undefined;
  }
  const m = /(?:^|\s)(?:-c\s*|--)search_path\s*=\s*([^\s,]+)/.exec(options ?? '');
  return m ? m[1].replace(/^"(.*)"$/, '$1') : undefined;
}

/**
 * Creates the URL's schema when it does not exist yet, so a fresh database needs no manual step.
 * When the database user may not create it, fails with STORE_FAILED saying the SQL to run.
 * Resolves with the schema's name (undefined for the server's default).
 */
export async function ensurePostgresSchema(db: Kysely<Database>, url: string): Promise<string | undefined> {
  const schema = schemaOfUrl(url);
  if (!schema) return undefined;
  // Look first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists.
  const found = await sql<{ n: number }>`SELECT 1 AS n FROM pg_namespace WHERE nspname = ${schema}`.execute(db);
  if (found.rows.length > 0) return schema;
  try {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 42501: insufficient_privilege. Anything else (the server is down ...) is for the caller's message.
    if (code !== '42501') throw err;
    throw new ReleasebotError(
      'STORE_FAILED',
      `schema "${schema}" does not exist and this database user may not create it: run CREATE SCHEMA "${schema}" AUTHORIZATION <user>; as a database owner`,
      { schema },
      { cause: err },
    );
  }
  return schema;
}
