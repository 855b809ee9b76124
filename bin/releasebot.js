#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx so no build step is needed.
// tsx is resolved from this package, so the command works from any working directory.
// Signals are forwarded, so `serve` shuts down cleanly when its launcher is told to stop.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
child.on('exit', (code, signal) => process.exit(signal ? SIGNAL_EXIT[signal] ?? 1 : code ?? 1));
