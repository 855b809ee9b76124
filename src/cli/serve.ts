import type { Command } from 'commander';
import { SystemClock } from '../clock/clock.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createApp, type App } from '../app/create-app.js';
import { EXIT } from './exit.js';
import { parsePort } from './flags.js';
import { watchLauncher } from './launcher-watch.js';

interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  stopTimeout: string;
  drainTimeout: string;
}

/** How long a stop may take before the process exits anyway (a stuck store or a hung request). */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
/** How long a deploy step running at a stop may take to finish before it is handed over to the next start. */
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 20;

/** The configuration with the command line's --port and --host applied over `server`. */
export function applyServeFlags(config: Config, flags: { port?: number; host?: string }): Config {
  return { ...config, server: { ...config.server, ...(flags.port !== undefined ? { port: flags.port } : {}), ...(flags.host ? { host: flags.host } : {}) } };
}

/** "1 deploy step" / "2 deploy steps". */
function steps(n: number): string {
  return `${n} deploy step${n === 1 ? '' : 's'}`;
}

/**
 * Stops on SIGTERM or SIGINT: no new requests, ticks or deploy steps; a deploy step running gets up
 * to `drainMs` to finish (and is recorded), then it is handed over to the next start (killed; the
 * next start performs it again under the same idempotency key); the Slack outbox flushed once, the
 * store closed; exit 0. A second signal, or a stop that takes longer than `timeoutMs`, exits at once
 * with 1 (nothing is lost: the outbox and the pipeline state are in the store).
 */
function stopOnSignals(app: App, log: (line: string) => void, timeoutMs: number, drainMs: number): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log(`received ${signal} again: exiting now`);
      process.exit(EXIT.failed);
    }
    stopping = true;
    const plan = app.role() === 'single'
      ? `a deploy step in flight gets up to ${drainMs / 1000} s to finish, then the next start performs it again`
      : 'a leader hands its deploy steps in flight over to the next leader';
    log(`${signal.startsWith('SIG') ? 'received ' : ''}${signal}: stopping (${plan})`);
    setTimeout(() => {
      log(`stop took longer than ${timeoutMs / 1000}s: exiting now`);
      process.exit(EXIT.failed);
    }, timeoutMs).unref();
    // Replicas (summary undefined) hand their steps over to the next leader at once.
    const { finished, handedOver } = (await app.close({ drainMs })) ?? { finished: [], handedOver: [] };
    const parts = [];
    if (finished.length) parts.push(`${steps(finished.length)} finished while stopping${handedOver.length ? '' : ', none handed over'}`);
    if (handedOver.length) parts.push(`${steps(handedOver.length)} handed over to the next start (${handedOver.join(', ')})`);
    log(`stopped${parts.length ? `: ${parts.join('; ')}` : ''}`);
    process.exit(EXIT.ok);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  watchLauncher(() => void stop('the end of its npm launcher'));
}

/** `releasebot serve --config FILE`: the production main job (API, UI, orchestrator, monitor, notifiers). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bot: API and UI, the pipeline with the configured deployer, the monitor and notifiers')
    .option('--config <file>', 'releasebot.yaml (default: $RELEASEBOT_CONFIG)', process.env.RELEASEBOT_CONFIG)
    .option('--port <n>', 'listen on this port instead of server.port (0 = any free port)')
    .option('--host <address>', 'listen on this address instead of server.host')
    .option('--drain-timeout <seconds>', 'on SIGTERM/SIGINT, let a running deploy step finish for this long, then hand it over to the next start (default: $RELEASEBOT_DRAIN_TIMEOUT, else 20)', process.env.RELEASEBOT_DRAIN_TIMEOUT || String(DEFAULT_DRAIN_TIMEOUT_SECONDS))
    .option('--stop-timeout <seconds>', 'on SIGTERM/SIGINT, exit after this long even if the stop has not finished; more than --drain-timeout (default: $RELEASEBOT_STOP_TIMEOUT, else 30)', process.env.RELEASEBOT_STOP_TIMEOUT || String(DEFAULT_STOP_TIMEOUT_SECONDS))
    .action(async (flags: ServeFlags) => {
      if (!flags.config) {
        process.stderr.write('releasebot serve: no configuration: pass --config FILE or set RELEASEBOT_CONFIG (try examples/minimal.yaml)\n');
        process.exit(EXIT.config);
      }
      const port = flags.port === undefined ? undefined : parsePort('serve', flags.port);
      const stopTimeout = Number(flags.stopTimeout);
      if (!Number.isFinite(stopTimeout) || stopTimeout <= 0) {
        process.stderr.write(`releasebot serve: --stop-timeout (or RELEASEBOT_STOP_TIMEOUT) must be a number of seconds > 0, got "${flags.stopTimeout}"\n`);
        process.exit(EXIT.config);
      }
      const drainTimeout = Number(flags.drainTimeout);
      if (!Number.isFinite(drainTimeout) || drainTimeout < 0 || drainTimeout >= stopTimeout) {
        process.stderr.write(`releasebot serve: --drain-timeout (or RELEASEBOT_DRAIN_TIMEOUT) must be a number of seconds >= 0 and below --stop-timeout (${stopTimeout}), got "${flags.drainTimeout}"\n`);
        process.exit(EXIT.config);
      }
      const config = applyServeFlags(loadConfig(flags.config), { port, host: flags.host });
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const app = await createApp({ config, clock: new SystemClock(), log });
      let url: string;
      try {
        url = await app.start();
      } catch (err) {
        // Close what did open (the store) so the failure is reported and the process ends cleanly.
        await app.close().catch(() => undefined);
        throw err;
      }
      stopOnSignals(app, log, stopTimeout * 1000, drainTimeout * 1000);
      log(`releasebot listening on ${url}`);
    });
}
