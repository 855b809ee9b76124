import type { Command } from 'commander';
import { runNabBacktest, type BacktestSummary } from '../backtest/nab-backtest.js';
import { asReleasebotError } from '../domain/errors.js';

/** Registers `releasebot backtest nab --data DIR --out DIR [--json]`. */
export function registerBacktest(program: Command): void {
  const backtest = program.command('backtest').description('Replay labelled history through the detectors');
  backtest
    .command('nab')
    .description('Stream every NAB CSV under DIR/data through the default detector; score against DIR/labels when present')
    .requiredOption('--data <dir>', 'directory in NAB layout (data/, labels/, profiles.json)')
    .requiredOption('--out <dir>', 'where to write <category>/<name>.csv with timestamp,value,anomaly_score,alarm')
    .option('--json', 'print one JSON object on stdout instead of a table')
    .action((opts: { data: string; out: string; json?: boolean }) => {
      try {
        const started = performance.now();
        const summary = runNabBacktest({
          dataDir: opts.data,
          outDir: opts.out,
          onProgress: (done, total, key) => process.stderr.write(`[${done}/${total}] ${key}\n`),
        });
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(`${summary.rows} rows in ${seconds.toFixed(2)} s (${Math.round(summary.rows / seconds)} rows/s)\n`);
        if (opts.json) {
          const { rows: _rows, ...out } = summary;
          process.stdout.write(`${JSON.stringify(out)}\n`);
        } else process.stdout.write(formatTable(summary));
      } catch (err) {
        const e = asReleasebotError(err);
        process.stderr.write(`backtest failed (${e.code}): ${e.message}\n`);
        process.exitCode = 1;
      }
    });
}

/** Human-readable summary. */
export function formatTable(s: BacktestSummary): string {
  const lines = [
    `files ${s.files}  rows ${s.rows}  windows ${s.windows}  detected ${s.detected}  false alarms ${s.falseAlarmEvents}`,
  ];
  const names = Object.keys(s.profiles);
  if (names.length === 0) lines.push('no labels/combined_windows.json: alarms written, not scored');
  else {
    lines.push('profile                 NAB score');
    for (const n of names) lines.push(`${n.padEnd(24)}${s.profiles[n].toFixed(2).padStart(9)}`);
  }
  return `${lines.join('\n')}\n`;
}
