import type { Clock } from '../clock/clock.js';
import type { CheckConfig } from '../config/schema.js';
import { asReleasebotError, NoDataError } from '../domain/errors.js';
import { withinTick } from './tick-timing.js';
import type { MetricsSource } from '../metrics/source.js';
import type { WindowCache } from '../metrics/window-cache.js';
import { fetchCheck, type CheckFetch, type FetchMode, type WindowFetcher } from './fetch.js';
import type { FetchModePlanner } from './fetch-mode.js';

/** What the monitor holds for one check (the bot's /metrics). */
export interface FetchFigures {
  check: string;
  mode: FetchMode;
  series: number;
  samples: number;
  bytes: number;
}

/** The monitor's fetch state that lives across ticks. */
export interface TickFetchContext {
  fetcher: WindowFetcher;
  /** The monitor's own cache, when it made one (entries of a check that goes push-down are dropped). */
  cache?: WindowCache;
  planner: FetchModePlanner;
  source: Pick<MetricsSource, 'query'>;
  clock: Clock;
  /** The mode each check was last fetched in. */
  modes: Map<string, FetchMode>;
  /** First fetches still running after their tick gave up waiting. */
  warming: Map<string, Promise<CheckFetch>>;
}

/** `waitMs`: the tick interval; `fresh`: read the current windows from the backend now (the promotion gate). */
export interface TickFetchOptions {
  stepMs: number;
  waitMs: number;
  fresh?: boolean;
}

/**
 * Fetches every check for one tick, each in the mode the planner chooses. A check whose first
 * fetch (a cold fill of many series) is still running after `waitMs` comes back as NO_DATA
 * ("warming up": no promotion while it lasts) and keeps filling in the background, so the checks
 * that are ready are judged now; the next tick takes it up incrementally once the fill is done.
 */
export async function fetchChecksForTick(ctx: TickFetchContext, checks: CheckConfig[], now: number, opts: TickFetchOptions): Promise<Map<string, CheckFetch>> {
  const entries = await Promise.all(checks.map(async (c) => [c.name, await fetchOne(ctx, c, now, opts)] as const));
  return new Map(entries);
}

async function fetchOne(ctx: TickFetchContext, check: CheckConfig, now: number, opts: TickFetchOptions): Promise<CheckFetch> {
  if (ctx.warming.has(check.name)) return warmingUp(check);
  const mode = await ctx.planner.modeFor(check, now);
  const first = ctx.modes.get(check.name) === undefined;
  if (mode !== ctx.modes.get(check.name)) {
    // Why drop: a check going push-down no longer needs its baseline samples held.
    if (mode === 'pushdown') ctx.cache?.drop(check.query);
    ctx.modes.set(check.name, mode);
  }
  const fetch = fetchCheck(ctx.fetcher, check, now, { mode, source: ctx.source, stepMs: opts.stepMs, fresh: opts.fresh === true });
  // Queries answer within the tick (wall time: a hung socket does not care about a virtual clock).
  if (!first) return withinTick(fetch, opts.waitMs, `check ${check.name}`).catch((err): CheckFetch => ({ ok: false, error: asReleasebotError(err) }));
  const late = Symbol('late');
  const r = await Promise.race([fetch, ctx.clock.sleep(opts.waitMs).then(() => late)]);
  if (typeof r !== 'symbol') return r;
  ctx.warming.set(check.name, fetch);
  void fetch.finally(() => ctx.warming.delete(check.name));
  return warmingUp(check);
}

function warmingUp(check: CheckConfig): CheckFetch {
  return { ok: false, error: new NoDataError(`warming up: the first fetch of check ${check.name} is still running`, { check: check.name }) };
}
