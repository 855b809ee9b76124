import type { Command } from 'commander';
import { SystemClock } from '../clock/clock.js';
import { ConfigError, formatProblem, loadConfig } from '../config/load.js';
import { createApp } from '../app/create-app.js';

/** `releasebot serve --config FILE`: the production main job (API, UI, orchestrator, monitor, notifiers). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the bot: API and UI, the pipeline with the configured deployer, the monitor and notifiers')
    .requiredOption('--config <file>', 'releasebot.yaml')
    .action(async (flags: { config: string }) => {
      let config;
      try {
        config = loadConfig(flags.config);
      } catch (err) {
        if (err instanceof ConfigError) {
          for (const p of err.problems) process.stderr.write(`${formatProblem(flags.config, p)}\n`);
          process.exit(2);
        }
        throw err;
      }
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const app = await createApp({ config, clock: new SystemClock(), log });
      const url = await app.start();
      log(`releasebot listening on ${url}`);
      const shutdown = async (signal: string) => {
        log(`received ${signal}: shutting down (deploys in flight resume on the next start)`);
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
