#!/usr/bin/env node
import { Command } from 'commander';
import { registerBacktest } from './backtest.js';
import { registerCheckConfig } from './check-config.js';
import { registerDemo } from './demo.js';
import { registerServe } from './serve.js';
import { registerEvaluate } from './evaluate.js';
import { exitWithFailure } from './exit.js';
import { packageVersion } from './version.js';

/** The `releasebot` command line. Each subcommand lives in its own module and registers itself here. */
const program = new Command();
program
  .name('releasebot')
  .description('Self-hosted release bot')
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .option('--debug', 'print stack traces with start-up failures')
  .showHelpAfterError();

// Subcommand registrations (one line each):
registerBacktest(program);
registerCheckConfig(program);
registerDemo(program);
registerServe(program);
registerEvaluate(program);

// A failure that reaches here is printed as one line with its exit code (src/cli/exit.ts), never a stack trace unless --debug.
await program.parseAsync(process.argv).catch((err: unknown) => exitWithFailure(err));
