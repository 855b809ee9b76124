import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { after, before } from 'node:test';
import pg from 'pg';
import { ManualClock, type Clock } from '../../src/clock/clock.js';
import type { Config } from '../../src/config/schema.js';
import { startHarness, type Harness } from '../api-harness.js';
import { CHROMIUM_ARGS } from '../ui-target.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Skip reason for the browser tests: chromium missing on a laptop skips with a printed reason;
 * with CI=true a missing browser fails the run instead.
 */
export function browserSkip(suite: string): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${CHROMIUM} is missing, and CI=true requires it`);
  const why = `chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  console.log(`# SKIP ${suite}: ${why}`);
  return why;
}

/** Launches headless Chromium with the project's container-safe flags. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A harness listening on a loopback port, for browsers and raw sockets. */
export interface LiveHarness extends Harness {
  url: string;
  port: number;
}

/** Starts the API harness (real store, real runner) and listens on 127.0.0.1:0. */
export async function startLive(ui: Partial<Config['server']['ui']> = {}, more: { storeUrl?: string; sessionClock?: Clock } = {}): Promise<LiveHarness> {
  const h = await startHarness({ ui, ...more });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  return Object.assign(h, { url: `http://127.0.0.1:${port}`, port });
}

/** The test PostgreSQL (trust auth, database `test`), as in test/store-postgres.test.ts. */
const PG_ADMIN = process.env.RELEASEBOT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh PostgreSQL schema for one test: its store URL and a dispose. Returns a skip reason when
 * PostgreSQL is unreachable on a laptop; with CI=true that is an error.
 */
export async function freshPostgres(): Promise<{ url: string; dispose(): Promise<void> } | { skip: string }> {
  const schema = `rb_sec_${Math.random().toString(16).slice(2, 10)}`;
  try {
    await pgAdmin(`CREATE SCHEMA ${schema}`);
  } catch (err) {
    const why = `PostgreSQL at ${PG_ADMIN} is unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${why}; required when CI=true`);
    console.log(`# SKIP: ${why}`);
    return { skip: why };
  }
  const sep = PG_ADMIN.includes('?') ? '&' : '?';
  return { url: `${PG_ADMIN}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`, dispose: () => pgAdmin(`DROP SCHEMA ${schema} CASCADE`) };
}

/** Logs in with the login form (no browser); returns the session cookie and its CSRF token. */
export async function loginInject(h: Harness, user: { name: string; password: string }): Promise<{ cookie: string; csrf: string }> {
  const r = await h.app.inject({ method: 'POST', url: '/login', payload: new URLSearchParams({ name: user.name, password: user.password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const cookie = String(r.headers['set-cookie'] ?? '').split(';')[0];
  if (!cookie.startsWith('rb_session=')) throw new Error(`login failed: ${r.statusCode} ${r.headers.location}`);
  const me = (await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).json() as { csrfToken: string };
  return { cookie, csrf: me.csrfToken };
}

/**
 * For a suite: starts an API harness before its tests, with sessions on a manual wall clock, and
 * closes it after them. `set` receives the harness; returns the wall clock (to move sessions on).
 */
export function harnessForSuite(set: (h: Harness) => void): ManualClock {
  const wall = new ManualClock(Date.parse('2024-05-01T10:00:00Z'));
  let h: Harness | undefined;
  before(async () => {
    h = await startHarness({ sessionClock: wall });
    set(h);
  });
  after(async () => {
    await h?.close();
  });
  return wall;
}
