import type { Clock } from '../clock/clock.js';
import type { CheckConfig } from '../config/schema.js';
import { asReleasebotError, NoDataError } from '../domain/errors.js';
import { withinTick } from './tick-timing.js';
import type { MetricsSource } from '../metrics/source.js';
import type { WindowCache } from '../metrics/window-cache.js';
import { canPushDown, directFetcher, fetchCheck, type CheckFetch, type FetchMode, type WindowFetcher } from './fetch.js';
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
  source: MetricsSource;
  clock: Clock;
  /** The mode each check was last fetched in. */
  modes: Map<string, FetchMode>;
  /** First raw fills still running. */
  warming: Map<string, Promise<CheckFetch>>;
  /** Checks whose raw window has been filled once. */
  ready: Set<string>;
}

/** `waitMs`: the tick interval; `fresh`: read the current windows from the backend now (the promotion gate). */
export interface TickFetchOptions {
  stepMs: number;
  waitMs: number;
  fresh?: boolean;
}

/**
 * Fetches every check for one tick, each in the mode the planner chooses. A raw check's first fill
 * (the whole window of every series: minutes of transfer at tens of thousands of series) runs in
 * the background; meanwhile a check that can be pushed down is judged from pushed-down baselines
 * plus its judged window fetched directly (so judging starts within seconds of a cold start), and
 * one that cannot (the default detector) waits up to `waitMs` and otherwise comes back as NO_DATA
 * ("warming up": no promotion while it lasts). Checks that are ready are judged either way; once
 * the fill is done the check is fetched incrementally from the cache.
 */
export async function fetchChecksForTick(ctx: TickFetchContext, checks: CheckConfig[], now: number, opts: TickFetchOptions): Promise<Map<string, CheckFetch>> {
  const entries = await Promise.all(checks.map(async (c) => [c.name, await fetchOne(ctx, c, now, opts)] as const));
  return new Map(entries);
}

async function fetchOne(ctx: TickFetchContext, check: CheckConfig, now: number, opts: TickFetchOptions): Promise<CheckFetch> {
  const mode = await ctx.planner.modeFor(check, now);
  if (mode !== ctx.modes.get(check.name)) {
    // Why drop: a check going push-down no longer needs its baseline samples held.
    if (mode === 'pushdown') ctx.cache?.drop(check.query);
    ctx.modes.set(check.name, mode);
  }
  if (mode === 'raw' && ctx.cache && !ctx.ready.has(check.name)) return coldRaw(ctx, check, now, opts);
  const fetch = fetchCheck(ctx.fetcher, check, now, { mode, source: ctx.source, stepMs: opts.stepMs, fresh: opts.fresh === true });
  // Queries answer within the tick (wall time: a hung socket does not care about a virtual clock).
  return withinTick(fetch, opts.waitMs, `check ${check.name}`).catch((err): CheckFetch => ({ ok: false, error: asReleasebotError(err) }));
}

/** A raw check whose window is not filled yet: start (or join) the fill, bridge with push-down where possible. */
async function coldRaw(ctx: TickFetchContext, check: CheckConfig, now: number, opts: TickFetchOptions): Promise<CheckFetch> {
  let fill = ctx.warming.get(check.name);
  const started = fill === undefined;
  if (!fill) {
    fill = fetchCheck(ctx.fetcher, check, now, { stepMs: opts.stepMs }).then((f) => {
      if (f.ok) ctx.ready.add(check.name);
      return f;
    });
    ctx.warming.set(check.name, fill);
    void fill.finally(() => ctx.warming.delete(check.name));
  }
  if (canPushDown(check)) {
    const bridge = await fetchCheck(directFetcher(ctx.source, opts.stepMs), check, now, { mode: 'pushdown', source: ctx.source, stepMs: opts.stepMs });
    if (bridge.ok) return bridge;
  }
  // A fill started in an earlier tick is still running (it took longer than that tick's wait): no data yet.
  if (!started) return warmingUp(check);
  const late = Symbol('late');
  // Why cancelled: a timer of a whole tick left behind keeps a process (a CLI run, a bench) alive after its work.
  const timer = new AbortController();
  const r = await Promise.race([fill, ctx.clock.sleep(opts.waitMs, timer.signal).then(() => late)]);
  timer.abort();
  return typeof r === 'symbol' ? warmingUp(check) : r;
}
function warmingUp(check: CheckConfig): CheckFetch {
  return { ok: false, error: new NoDataError(`warming up: the first fetch of check ${check.name} is still running`, { check: check.name }) };
}
