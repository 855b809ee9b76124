import type { Command } from 'commander';
import { defaultDemoConfig, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { runDemo, type DemoSummary } from '../app/demo-run.js';
import { exitWithFailure } from './exit.js';
import { renderTerminalView } from '../app/terminal-view.js';
import type { App } from '../app/create-app.js';

interface DemoFlags {
  speed: string;
  port: string;
  config?: string;
  exitWhenDone?: boolean;
  json?: boolean;
}

/** Default speed: the scripted scenario (about five simulated hours) takes under two minutes of wall time. */
export const DEFAULT_DEMO_SPEED = 200;

function parseNumber(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`releasebot demo: --${flag} must be a number >= ${min}, got "${value}"\n`);
    process.exit(2);
  }
  return n;
}

/** Redraws the live terminal view (TTY) or prints new decisions as lines (pipes, logs). */
function startView(app: App, url: string, tty: boolean, messages: string[]): () => void {
  const printed = new Set<string>();
  const timer = setInterval(async () => {
    try {
      // Only the newest decisions: a redraw or a new line never re-reads the whole log.
      const decisions = await app.store.listDecisions({ limit: 200 });
      if (tty) {
        const events = await app.store.listEvents({ limit: 20 });
        const view = renderTerminalView({ now: app.clock.now(), state: app.runner.snapshot(), decisions, events, url });
        const msgs = messages.slice(-6).map((m) => `  ${m}`).join('\n');
        process.stdout.write(`\x1b[2J\x1b[H${view}\nmessages:\n${msgs}\n`);
        return;
      }
      for (const d of decisions) {
        if (printed.has(d.id)) continue;
        printed.add(d.id);
        process.stdout.write(`${new Date(d.at).toISOString()} ${d.kind} ${[d.buildId, d.stage].filter(Boolean).join('@')} ${d.actor.kind}:${d.actor.id}: ${d.reason}\n`);
      }
    } catch {
      // The store closes at shutdown while a redraw may be in flight; the next run of the view has nothing to show.
    }
  }, 500);
  return () => clearInterval(timer);
}

/** `releasebot demo`: the scripted scenario over the simulated fleet, with the web UI. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the demo: simulated fleet and deployer, SQLite, web UI, a scripted stream of builds (one bad)')
    .option('--speed <n>', 'virtual clock speed (simulated seconds per wall second)', String(DEFAULT_DEMO_SPEED))
    .option('--port <n>', 'HTTP port for the API and UI (0 = any free port)', '8080')
    .option('--config <file>', 'use this configuration instead of the embedded demo defaults')
    .option('--exit-when-done', 'exit when every scripted build has settled')
    .option('--json', 'with --exit-when-done: print one JSON summary on stdout and nothing else')
    .action(async (flags: DemoFlags) => {
      const speed = parseNumber('speed', flags.speed, 0.001);
      const port = parseNumber('port', flags.port, 0);
      const base: Config = flags.config ? loadConfig(flags.config) : defaultDemoConfig();
      const config: Config = { ...base, server: { ...base.server, port } };
      const json = Boolean(flags.json);
      const tty = Boolean(process.stdout.isTTY) && !json;
      const messages: string[] = [];
      const info = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      process.once('SIGTERM', () => abort.abort());
      let stopView = () => {};
      let reported = false;
      const done = (summary: DemoSummary) =>
        `demo done: ${summary.builds} builds, ${summary.reachedProduction} reached production, ${summary.rolledBack} rolled back (${summary.badBuilds.map((b) => `${b.id} ${b.status} at ${b.furthestStage}`).join(', ')}), ${summary.tainted} tainted, ${summary.simulatedMinutes} simulated minutes`;
      try {
        const summary = await runDemo(
          {
            config, speed, exitWhenDone: Boolean(flags.exitWhenDone),
            log: (line) => { if (!json && !tty) process.stderr.write(`${line}\n`); },
            write: (line) => { messages.push(line); if (!json && !tty) process.stdout.write(`${line}\n`); },
          },
          abort.signal,
          (app, url) => {
            info(`releasebot UI: ${url}  (log in as demo / releasebot-demo to act)`);
            if (!json) stopView = startView(app, url, tty, messages);
          },
          // Live: the scenario is over; say how it went and keep the UI up until Ctrl-C.
          (summary) => {
            stopView();
            reported = true;
            info(`${done(summary)}\nthe UI stays up for a look around: press Ctrl-C to stop`);
          },
        );
        stopView();
        if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else if (!reported) info(flags.exitWhenDone ? done(summary) : `stopped before the scenario finished: ${done(summary)}`);
        process.exit(0);
      } catch (err) {
        stopView();
        exitWithFailure(err);
      }
    });
}
