import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
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
export async function startLive(ui: Partial<Config['server']['ui']> = {}): Promise<LiveHarness> {
  const h = await startHarness({ ui });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  return Object.assign(h, { url: `http://127.0.0.1:${port}`, port });
}
