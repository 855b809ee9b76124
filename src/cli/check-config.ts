import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, formatProblem, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { formatPath, lineOf } from '../config/yaml-locate.js';
import { startupProblems, type CheckProblem } from './config-checks.js';
import { configWarnings } from '../config/warnings.js';
import { tryDependencies } from './connect-checks.js';
import { EXIT } from './exit.js';

/** Exit code for an invalid configuration (distinct from 1, a crash). */
export const EXIT_CONFIG_INVALID = EXIT.config;

type Env = Record<string, string | undefined>;

/**
 * Validates a file against the schema and returns what to print and the exit code: `OK` and 0,
 * or one `FILE:LINE: path.to.field: message` line per problem and 2.
 */
export function checkConfigFile(file: string, env: Env = process.env): { output: string; exitCode: number } {
  try {
    loadConfig(file, env);
    return { output: 'OK', exitCode: 0 };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { output: err.problems.map((p) => formatProblem(file, p)).join('\n'), exitCode: EXIT_CONFIG_INVALID };
  }
}

/** Puts file lines on problems found in the loaded configuration (the file is read again for its YAML positions). */
function locate(file: string, problems: CheckProblem[]): string[] {
  const lc = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lc });
  return problems.map((p) => formatProblem(file, { path: formatPath(p.path), line: lineOf(doc, lc, p.path), message: p.warning ? `warning: ${p.message}` : p.message }));
}

/**
 * The whole check: the schema, then what would fail at start (store scheme, deploy command,
 * Slack ids), then with `connect` the store, Prometheus and Slack themselves. Exit 0 (warnings
 * allowed), 2 for a configuration problem, 3 when a dependency did not answer.
 */
export async function checkConfig(file: string, opts: { connect: boolean; env?: Env }): Promise<{ lines: string[]; exitCode: number }> {
  const env = opts.env ?? process.env;
  let config: Config;
  try {
    config = loadConfig(file, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { lines: err.problems.map((p) => formatProblem(file, p)), exitCode: EXIT.config };
  }
  const problems = [...startupProblems(config, env), ...configWarnings(config)];
  const lines = locate(file, problems);
  if (problems.some((p) => !p.warning)) return { lines, exitCode: EXIT.config };
  if (opts.connect) {
    const results = await tryDependencies(config);
    lines.push(...results.map((r) => `${r.ok ? 'ok' : 'FAILED'} ${r.target}: ${r.message}`));
    if (results.some((r) => !r.ok)) return { lines, exitCode: EXIT.dependency };
  }
  return { lines: [...lines, 'OK'], exitCode: EXIT.ok };
}

/** Registers `releasebot check-config FILE [--offline | --connect]`. */
export function registerCheckConfig(program: Command): void {
  program
    .command('check-config')
    .description('validate a releasebot.yaml: prints OK, or every problem as FILE:LINE: field: message (exit 2)')
    .argument('<file>', 'configuration file')
    .option('--offline', 'check the file and this machine only, no network (the default)')
    .option('--connect', 'also open the store, query Prometheus and call Slack auth.test (exit 3 if one fails)')
    .action(async (file: string, flags: { offline?: boolean; connect?: boolean }) => {
      if (flags.offline && flags.connect) {
        process.stderr.write('releasebot check-config: --offline and --connect exclude each other\n');
        process.exit(EXIT.config);
      }
      const { lines, exitCode } = await checkConfig(file, { connect: Boolean(flags.connect) });
      console.log(lines.join('\n'));
      process.exitCode = exitCode;
    });
}
