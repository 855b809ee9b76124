import type { Command } from 'commander';
import { ConfigError, formatProblem, loadConfig } from '../config/load.js';

/** Exit code for an invalid configuration (distinct from 1, a crash). */
export const EXIT_CONFIG_INVALID = 2;

/**
 * Validates a file and returns what to print and the exit code: `OK` and 0, or one
 * `FILE:LINE: path.to.field: message` line per problem and 2.
 */
export function checkConfigFile(file: string, env: Record<string, string | undefined> = process.env): { output: string; exitCode: number } {
  try {
    loadConfig(file, env);
    return { output: 'OK', exitCode: 0 };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { output: err.problems.map((p) => formatProblem(file, p)).join('\n'), exitCode: EXIT_CONFIG_INVALID };
  }
}

/** Registers `releasebot check-config FILE`. */
export function registerCheckConfig(program: Command): void {
  program
    .command('check-config')
    .description('validate a releasebot.yaml: prints OK, or every problem as FILE:LINE: field: message (exit 2)')
    .argument('<file>', 'configuration file')
    .action((file: string) => {
      const { output, exitCode } = checkConfigFile(file);
      console.log(output);
      process.exitCode = exitCode;
    });
}
