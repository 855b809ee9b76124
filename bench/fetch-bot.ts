/**
 * The bot's side of bench:fetch, run in a process of its own so that its RSS is the bot's alone:
 * the monitor's fetch path (fetchCheck through a WindowCache over a PrometheusSource) and the
 * monitor's judgement (judgeSeries on every series) for one check, a cold start and then steady
 * ticks. Prints one JSON line. Started by bench/fetch-bench.ts.
 */
import { checkSchema } from '../src/config/schema.js';
import { PrometheusSource } from '../src/metrics/prometheus.js';
import { WindowCache } from '../src/metrics/window-cache.js';
import { baselineOf, labelsKey, type FetchMode } from '../src/monitor/fetch.js';
import { DetectorStates } from '../src/monitor/detector-states.js';
import { judgeSeries } from '../src/monitor/judge.js';
import { FetchModePlanner } from '../src/monitor/fetch-mode.js';
import { fetchChecksForTick, type TickFetchContext } from '../src/monitor/tick-fetch.js';
import { SystemClock } from '../src/clock/clock.js';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const url = arg('url', '');
const endMs = Number(arg('end', '0'));
const ticks = Number(arg('ticks', '8'));
const tickMs = Number(arg('tick', '30')) * 1000;
const mode = arg('mode', 'raw') as FetchMode;
const check = checkSchema.parse({ name: 'requests', query: arg('query', 'http_requests_rate'), detector: { type: arg('detector', 'zscore') } });

// Retries as a deployment would configure them: VictoriaMetrics answers 503 when its query queue is full.
const source = new PrometheusSource({ url, timeoutMs: 300_000, retries: 3, backoffMs: 500 });
const cache = new WindowCache({ source, stepMs: 15_000, fillConcurrency: Number(arg('concurrency', '3')), fillChunkMs: Number(arg('chunk-min', '30')) * 60_000 });

const ctx: TickFetchContext = {
  fetcher: cache, cache, source, clock: new SystemClock(),
  planner: new FetchModePlanner({ mode, pushdownAtSeries: 1 }, source),
  modes: new Map(), warming: new Map(), ready: new Set(),
};
/**
 * CPU time (ms) the metrics server process has used so far, from /proc (0 where unavailable).
 * Why: on a shared machine wall times mostly measure the load; the CPU time the server and the
 * bot spend per tick is what a quiet machine would take (at most their sum, if not overlapped).
 */
const serverPid = Number(arg('server-pid', '0'));
function serverCpuMs(): number {
  if (!serverPid) return 0;
  try {
    const fields = readFileSync(`/proc/${serverPid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}
const states = new DetectorStates();
let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);

/** One tick: fetch through the monitor's path (fetchChecksForTick), judge every series; returns counts and times. */
async function tick(now: number) {
  const bytes0 = source.bytesRead;
  const cpu0 = process.cpuUsage();
  const server0 = serverCpuMs();
  const t0 = performance.now();
  const f = (await fetchChecksForTick(ctx, [check], now, { stepMs: 15_000, waitMs: 600_000 })).get(check.name)!;
  if (!f.ok) throw new Error(`fetch failed: ${f.error.message}`);
  const t1 = performance.now();
  let breaches = 0;
  for (const s of f.data.current) {
    // The monitor keeps the default detector's state per series across ticks (detector-states.ts).
    const state = states.of(check, labelsKey(s.labels));
    if (judgeSeries(check, s, now, undefined, { baseline: baselineOf(f.data, s.labels), ...(state ? { state } : {}) }).anomaly.kind === 'breach') breaches++;
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { ms: t2 - t0, fetchMs: t1 - t0, judgeMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs: serverCpuMs() - server0, bytes: source.bytesRead - bytes0, series: f.data.current.length, pushedDown: f.data.baselines !== undefined, breaches };
}

const first = endMs - (ticks - 1) * tickMs;
const start = performance.now();
const cold = await tick(first);
// The raw window fills in the background (cold start judged from pushed-down baselines where the detector allows).
await Promise.all(ctx.warming.values());
const rawReadyMs = performance.now() - start;
// --cpu-prof-steady FILE: a CPU profile of the steady ticks alone (the cold fill would drown them in node --cpu-prof).
const profFile = arg('cpu-prof-steady', '');
const session = profFile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const steady = [];
for (let k = 1; k < ticks; k++) steady.push(await tick(first + k * tickMs));
if (session) {
  const { profile } = await session.post('Profiler.stop');
  await writeFile(profFile, JSON.stringify(profile));
  session.disconnect();
}
clearInterval(sampler);
const held = [...cache.held().values()].reduce((a, h) => ({ series: a.series + h.series, samples: a.samples + h.samples, bytes: a.bytes + h.bytes }), { series: 0, samples: 0, bytes: 0 });
console.log(JSON.stringify({
  mode,
  detector: check.detector.type,
  coldStart: cold,
  rawReadyMs: Math.round(rawReadyMs),
  steady,
  held,
  maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
  peakHeapMB: Math.round(peakHeap / 2 ** 20),
}));
