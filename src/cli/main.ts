#!/usr/bin/env node
import { Command } from 'commander';
import { registerBacktest } from './backtest.js';
import { registerCheckConfig } from './check-config.js';
import { registerDemo } from './demo.js';
import { registerServe } from './serve.js';
import { registerEvaluate } from './evaluate.js';

/** The `releasebot` command line. Each subcommand lives in its own module and registers itself here. */
const program = new Command();
program.name('releasebot').description('Self-hosted release bot').showHelpAfterError();

// Subcommand registrations (one line each):
registerBacktest(program);
registerCheckConfig(program);
registerDemo(program);
registerServe(program);
registerEvaluate(program);

await program.parseAsync(process.argv);
