/**
 * bench:fetch — what watching N series costs the bot, against a real Prometheus and a real
 * VictoriaMetrics that this bench starts (history generated once and cached, see
 * bench/support/fetch-servers.ts). For each backend and fetch mode a fresh bot process
 * (bench/fetch-bot.ts) runs the monitor's fetch path and judgement for one check over all series:
 * a cold start (the first tick: the whole window fetched, parsed and judged) and then steady ticks
 * every 30 s of history time. Reported per run: cold start, steady tick wall time (fetch + parse +
 * judgement), the CPU time the bot and the metrics server spent per steady tick (/proc; the
 * figures a loaded machine distorts least), bytes per tick, samples held and the bot's peak RSS.
 *
 * Run: npm run bench:fetch -- --series 10000 [--json] [--ticks 8] [--backends prometheus,victoria-metrics]
 *      [--modes raw,pushdown] [--detector zscore|default] [--repeat 1] [--vm-load scrape|bulk] [--vm-parts-per-step 8]
 * `--vm-load`: how VictoriaMetrics' history is loaded (bench/support/fetch-servers.ts): `scrape`
 * (default) step by step, each step's series in `--vm-parts-per-step` groups (default 8) each
 * flushed as a part of its own, as a scraping server receives and flushes them; `bulk` in one
 * pass, series after series (the layout before, VictoriaMetrics' worst case for the steady tick:
 * every series' whole history in one block).
 * Targets at 10,000 series (issue 15): steady tick <= 250 ms, RSS <= 400 MB, cold start <= 30 s.
 * The machine is shared: rerun (--repeat) and read the spread, not the digits.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBenchPrometheus, startBenchVictoria, type BenchServer } from './support/fetch-servers.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
};
const SERIES = Number(arg('series', '10000'));
const TICKS = Number(arg('ticks', '8'));
const REPEAT = Number(arg('repeat', '1'));
const BACKENDS = arg('backends', 'prometheus,victoria-metrics').split(',');
const MODES = arg('modes', 'raw,pushdown').split(',');
const DETECTOR = arg('detector', 'zscore');
const VM_LOAD = arg('vm-load', 'scrape');
if (VM_LOAD !== 'scrape' && VM_LOAD !== 'bulk') throw new Error(`--vm-load must be scrape or bulk, got ${JSON.stringify(VM_LOAD)}`);
const VM_PARTS = Number(arg('vm-parts-per-step', '8'));
if (!Number.isInteger(VM_PARTS) || VM_PARTS < 1) throw new Error(`--vm-parts-per-step must be a whole number >= 1, got ${JSON.stringify(arg('vm-parts-per-step', ''))}`);
const JSON_OUT = process.argv.includes('--json');
const STEP_MS = 15_000;
const HISTORY_MS = 210 * 60_000; // 3 h baseline + 5 min window + the ticks, with margin
const log = (line: string) => console.error(line);

interface BotTick { ms: number; fetchMs: number; judgeMs: number; cpuMs: number; serverCpuMs: number; bytes: number; series: number; pushedDown: boolean; breaches: number }
interface BotResult { mode: string; detector: string; coldStart: BotTick; rawReadyMs: number; steady: BotTick[]; held: { series: number; samples: number; bytes: number }; maxRssMB: number; rssMB: number; peakHeapMB: number }

/** Runs one bot process against `server`; resolves to its JSON line. */
function runBot(server: BenchServer, mode: string): Promise<BotResult> {
  const bot = fileURLToPath(new URL('./fetch-bot.ts', import.meta.url));
  const args = ['--import', 'tsx', bot, '--url', server.url, '--end', String(server.endMs - 60_000), '--ticks', String(TICKS), '--mode', mode, '--detector', DETECTOR, '--server-pid', String(server.pid ?? 0)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bot exited with ${code}: ${out.slice(-500)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as BotResult);
      } catch (err) {
        reject(new Error(`bot printed no JSON: ${out.slice(-500)} (${(err as Error).message})`));
      }
    });
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function summarize(backend: string, r: BotResult) {
  const steadyMs = r.steady.map((t) => t.ms);
  return {
    backend,
    mode: r.mode,
    detector: r.detector,
    series: r.coldStart.series,
    coldStartMs: Math.round(r.coldStart.ms),
    coldStartBytes: r.coldStart.bytes,
    coldStartPushedDown: r.coldStart.pushedDown,
    rawWindowReadyMs: r.mode === 'raw' ? r.rawReadyMs : undefined,
    steadyCpuMsMedian: Math.round(quantile(r.steady.map((t) => t.cpuMs), 0.5)),
    steadyServerCpuMsMedian: Math.round(quantile(r.steady.map((t) => t.serverCpuMs), 0.5)),
    coldStartServerCpuMs: Math.round(r.coldStart.serverCpuMs),
    steadyTickMs: { median: Math.round(quantile(steadyMs, 0.5)), min: Math.round(Math.min(...steadyMs)), max: Math.round(Math.max(...steadyMs)) },
    steadyFetchMsMedian: Math.round(quantile(r.steady.map((t) => t.fetchMs), 0.5)),
    steadyJudgeMsMedian: Math.round(quantile(r.steady.map((t) => t.judgeMs), 0.5)),
    steadyBytesPerTick: Math.round(r.steady.reduce((a, t) => a + t.bytes, 0) / Math.max(1, r.steady.length)),
    held: r.held,
    bytesPerSeriesHeld: r.held.series > 0 ? Math.round(r.held.bytes / r.held.series) : 0,
    maxRssMB: r.maxRssMB,
    peakHeapMB: r.peakHeapMB,
  };
}

const results: ReturnType<typeof summarize>[] = [];
const servers: Record<string, number> = {};
for (const backend of BACKENDS) {
  const t0 = Date.now();
  const spec = { series: SERIES, stepMs: STEP_MS, historyMs: HISTORY_MS, load: VM_LOAD as 'scrape' | 'bulk', partsPerStep: VM_PARTS };
  const server = backend === 'prometheus' ? await startBenchPrometheus(spec) : await startBenchVictoria(spec);
  servers[backend] = server.generatedMs;
  log(`${backend}: ${SERIES} series ready in ${Date.now() - t0} ms (history generated this run: ${server.generatedMs} ms)`);
  try {
    for (let k = 0; k < REPEAT; k++) {
      for (const mode of MODES) {
        const r = summarize(backend, await runBot(server, mode));
        results.push(r);
        log(`${backend} ${mode}: cold ${r.coldStartMs} ms (raw ready ${r.rawWindowReadyMs ?? '-'} ms), steady ${r.steadyTickMs.median} ms [${r.steadyTickMs.min}-${r.steadyTickMs.max}] (CPU bot ${r.steadyCpuMsMedian} ms, server ${r.steadyServerCpuMsMedian} ms), RSS ${r.maxRssMB} MB, held ${r.held.samples} samples`);
      }
    }
  } finally {
    await server.stop();
  }
}

const report = { series: SERIES, stepS: STEP_MS / 1000, victoriaLoad: VM_LOAD === 'bulk' ? 'bulk' : `scrape, ${VM_PARTS} parts per step`, baseline: '3h', window: '5m', tickS: 30, ticks: TICKS, detector: DETECTOR, historyGeneratedMs: servers, runs: results };
if (JSON_OUT) console.log(JSON.stringify(report, null, 2));
else for (const r of results) console.log(`${r.backend.padEnd(17)} ${r.mode.padEnd(9)} series ${r.series}  cold ${(r.coldStartMs / 1000).toFixed(1)} s  raw ready ${r.rawWindowReadyMs === undefined ? '-' : (r.rawWindowReadyMs / 1000).toFixed(1) + ' s'}  steady ${r.steadyTickMs.median} ms [${r.steadyTickMs.min}-${r.steadyTickMs.max}]  CPU bot ${r.steadyCpuMsMedian} + server ${r.steadyServerCpuMsMedian} ms  RSS ${r.maxRssMB} MB  held ${(r.held.bytes / 2 ** 20).toFixed(1)} MB`);
