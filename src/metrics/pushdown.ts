import { ReleasebotError } from '../domain/errors.js';

/**
 * PromQL that pushes window arithmetic down to the metrics server. Queries are data: every
 * template lives in this one map and is rendered by `renderPushdown`. Templates wrap the
 * check's query in a subquery (`(q)[range:step]`) so they work for any expression, not only
 * for plain selectors. `offset {{window}}` keeps the judged window out of its own baseline.
 */
export const PUSHDOWN_TEMPLATES = {
  /** Baseline mean over `baseline` ending where the judged window starts. */
  baselineMean: 'avg_over_time(({{query}})[{{baseline}}:{{step}}] offset {{window}})',
  /** Baseline standard deviation over the same range. */
  baselineStd: 'stddev_over_time(({{query}})[{{baseline}}:{{step}}] offset {{window}})',
  /** Number of baseline samples (for a minimum-samples rule). */
  baselineCount: 'count_over_time(({{query}})[{{baseline}}:{{step}}] offset {{window}})',
  /** Raw points of the judged window, fetched as a range query or as this subquery. */
  windowMax: 'max_over_time(({{query}})[{{window}}:{{step}}])',
  /**
   * The seed z-score rule fully pushed down: the largest z of the judged window's points.
   * The baseline slides with each point (each point's baseline ends `window` before it).
   */
  zscoreMax:
    'max_over_time((((({{query}}) - avg_over_time(({{query}})[{{baseline}}:{{step}}] offset {{window}})) / stddev_over_time(({{query}})[{{baseline}}:{{step}}] offset {{window}})))[{{window}}:{{step}}])',
  /** Dynamic threshold: the mean over the last `dynamicWindow`. */
  dynamicMean: 'avg_over_time(({{query}})[{{dynamicWindow}}:{{step}}])',
  /** Seasonal threshold: the same window one day earlier. */
  seasonalMeanDayAgo: 'avg_over_time(({{query}})[{{dynamicWindow}}:{{step}}] offset 1d)',
  /** Seasonal threshold: the same window one week earlier. */
  seasonalMeanWeekAgo: 'avg_over_time(({{query}})[{{dynamicWindow}}:{{step}}] offset 1w)',
} as const;

export type PushdownTemplate = keyof typeof PUSHDOWN_TEMPLATES;

/** Values for the templates. Durations are milliseconds and are written as PromQL durations. */
export interface PushdownVars {
  query: string;
  baselineMs?: number;
  windowMs?: number;
  stepMs?: number;
  dynamicWindowMs?: number;
}

const DURATION_VARS: Record<string, keyof PushdownVars> = {
  baseline: 'baselineMs',
  window: 'windowMs',
  step: 'stepMs',
  dynamicWindow: 'dynamicWindowMs',
};

/**
 * Renders one template. Throws QUERY_FAILED naming the template and the variable when a
 * variable is missing or invalid, so no half-rendered PromQL ever reaches the server.
 */
export function renderPushdown(name: PushdownTemplate, vars: PushdownVars): string {
  const template = PUSHDOWN_TEMPLATES[name];
  if (template === undefined) throw renderError(name, `unknown template`);
  if (!vars.query.trim()) throw renderError(name, 'query is empty');
  return template.replace(/\{\{(\w+)\}\}/g, (_, v: string) => {
    if (v === 'query') return vars.query.trim();
    const field = DURATION_VARS[v];
    if (!field) throw renderError(name, `unknown variable {{${v}}}`);
    const ms = vars[field] as number | undefined;
    if (ms === undefined) throw renderError(name, `missing ${field}`);
    return promDuration(ms, `${name}.${field}`);
  });
}

/** Milliseconds as the shortest exact PromQL duration ("3h", "5m", "15s", "1d", "1w", "250ms"). */
export function promDuration(ms: number, what = 'duration'): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new ReleasebotError('QUERY_FAILED', `${what}: a duration must be a positive whole number of ms, got ${ms}`);
  const units: [string, number][] = [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [u, size] of units) if (ms % size === 0) return `${ms / size}${u}`;
  return `${ms}ms`;
}

function renderError(name: string, what: string): ReleasebotError {
  return new ReleasebotError('QUERY_FAILED', `cannot render pushdown template "${name}": ${what}`, { template: name });
}
