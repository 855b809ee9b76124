import { ReleasebotError } from '../domain/errors.js';

/** One problem in a configuration file: the field path (e.g. `pipeline.stages[2].bake`), its line, what is wrong. */
export interface ConfigProblem {
  path: string;
  line?: number;
  message: string;
}

/** Formats one problem as `SOURCE:LINE: path: message` (the line is left out when unknown). */
export function formatProblem(source: string, p: ConfigProblem): string {
  const where = p.line === undefined ? source : `${source}:${p.line}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** An invalid configuration: carries every problem found, not just the first. Code CONFIG_INVALID. */
export class ConfigError extends ReleasebotError {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      'CONFIG_INVALID',
      `invalid configuration ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => formatProblem(source, p)).join('\n'),
      { source, problems },
    );
    this.name = 'ConfigError';
  }
}
