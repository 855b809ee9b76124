import type { Config } from './schema.js';
import type { FieldPath } from './yaml-locate.js';

/** A valid setting that is probably not what was meant: printed by check-config, which still exits 0. */
export interface ConfigWarning {
  path: FieldPath;
  message: string;
  warning: true;
}

/** Warnings about a loaded configuration (no I/O). */
export function configWarnings(config: Config): ConfigWarning[] {
  const found: ConfigWarning[] = [];
  config.checks.forEach((c, i) => {
    // Why: without a static level the threshold follows the series' own average, so on a quiet
    // series (a few errors at night) it sits near zero and small absolute changes cross it.
    if (c.dynamic !== 'off' && c.static === undefined) {
      found.push({
        path: ['checks', i, 'dynamic'],
        message: `check "${c.name}" has dynamic: ${c.dynamic} without static: the threshold follows the series' own average with no absolute floor; set static to the lowest level that matters`,
        warning: true,
      });
    }
  });
  return found;
}
