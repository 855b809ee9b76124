import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startUiFixture } from './ui-fixture.js';
import { USER } from './api-harness.js';
import { cliArgs } from './support/cli.js';

/** Launch flags for Debian's chromium in containers and CI. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A running releasebot UI to drive: the demo when it exists, else the fixture. */
export interface UiTarget {
  url: string;
  kind: 'demo' | 'fixture';
  user: { name: string; password: string };
  close(): Promise<void>;
}

/** Whether `releasebot demo` is available in this checkout. */
export function demoAvailable(): boolean {
  if (!existsSync(`${ROOT}/src/cli/demo.ts`)) return false;
  const r = spawnSync(process.execPath, cliArgs('demo', '--help'), { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /--speed/.test(r.stdout);
}

/**
 * Starts `releasebot demo --port 0 --speed N` (from the sources) and waits for its
 * `releasebot UI: http://127.0.0.1:PORT` line. The demo's UI user is taken from
 * RELEASEBOT_DEMO_USER / RELEASEBOT_DEMO_PASSWORD (default demo / releasebot-demo).
 */
export async function startDemo(speed: number): Promise<UiTarget> {
  // Own process group: whatever the demo starts ends with the test too.
  const child = spawn(process.execPath, cliArgs('demo', '--port', '0', '--speed', String(speed)), {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo printed no UI line within 60 s; output:\n${out.slice(-2000)}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /releasebot UI: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`demo exited with ${code} before serving; output:\n${out.slice(-2000)}`)));
  });
  // Keep draining output so the demo never blocks on a full pipe.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  child.removeAllListeners('exit');
  return {
    url,
    kind: 'demo',
    user: { name: process.env.RELEASEBOT_DEMO_USER ?? 'demo', password: process.env.RELEASEBOT_DEMO_PASSWORD ?? 'releasebot-demo' },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

/** The demo when available (unless UI_TARGET=fixture), else the fixture. */
export async function startUiTarget(speed = 30): Promise<UiTarget> {
  if (process.env.UI_TARGET !== 'fixture' && demoAvailable()) return startDemo(speed);
  const f = await startUiFixture({ speed });
  return { url: f.url, kind: 'fixture', user: USER, close: f.close };
}
