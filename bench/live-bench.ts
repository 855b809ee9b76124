/**
 * `npm run bench:live [-- --seed 1 --builds 6 --minutes 16 --days 8 --json]`: deploy judgement
 * measured live. A real Prometheus (backfilled with `--days` of history by promtool) scrapes a live
 * exporter serving a fleet's request counters and latency histograms per process; the real bot
 * (`releasebot serve`, a child process) walks builds through staging, canary, prod-10, prod-50 and
 * prod-100 with bakes of 1-1.5 minutes, deploying through its webhook deployer to the exporter.
 * Builds (about a third bad), a revert after each rollback, the daily spike, a traffic trend, an
 * outside incident that starts mid-bake and restart dips come from a seeded schedule. The report
 * (JSON) is read from the bot's API: bad builds caught before prod-10 and how fast, good builds
 * rolled back, stopped or held, events by severity and confidence, every mistake with its context.
 * Builds arrive within `--minutes`; the run ends when every build is final, or 3 minutes later at
 * most (setup adds 0.5-2 minutes). CPU: under two minutes in all (Prometheus, the bot, promtool).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchChecks, startBot, procCpuSeconds, type Bakes } from './live/bot.js';
import { attachEvidence } from './live/evidence.js';
import { drive } from './live/driver.js';
import { LiveFleetExporter } from './live/exporter.js';
import { LIVE_CELLS, spike } from './live/fleet-model.js';
import { history } from './live/history.js';
import { startBenchPrometheus } from './live/prometheus.js';
import { liveReport } from './live/report.js';
import { schedule } from './live/schedule.js';

const MIN = 60_000;
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seed = arg('seed', 1);
const buildCount = arg('builds', 6);
const minutes = arg('minutes', 16);
const days = arg('days', 8);
const json = process.argv.includes('--json');
const logIndex = process.argv.indexOf('--log');
const keepLog = logIndex >= 0 ? process.argv[logIndex + 1] : undefined;
// Bakes scale with the run: 16 minutes gives staging and canary 90 s, prod-10 and prod-50 60 s, prod-100 30 s.
const scale = Math.min(1, Math.max(0.2, minutes / 16));
const bakes: Bakes = { staging: 90 * scale, canary: 90 * scale, prod10: 60 * scale, prod50: 60 * scale, prod100: 30 * scale };
const pipelineMs = (bakes.staging + bakes.canary + bakes.prod10 + bakes.prod50 + bakes.prod100 + 5 * 8) * 1000;

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const wall0 = Date.now();
const cpu0 = process.cpuUsage();
const load0 = loadavg();

// The schedule's times are relative to the start of the run, which comes after the backfill; the
// spike's time of day is fixed now from an estimate, and lies in the history at the same minute.
const warmupMs = 60_000;
const plan = schedule({ seed, builds: buildCount, minutes, warmupMs, pipelineMs });
const setupEstimateMs = (20 + 12 * days) * 1000;
const spikeMinute = Math.floor(((Date.now() + setupEstimateMs + plan.spikeAtMs) % 86_400_000) / MIN);
const dailySpike = spike(spikeMinute);
const endOfHistory = Math.floor(Date.now() / MIN) * MIN;
const hist = history({ cells: LIVE_CELLS, spike: dailySpike, seed, days, endMs: endOfHistory });
const exporter = new LiveFleetExporter({ cells: LIVE_CELLS, spike: dailySpike, seed, restartDip: plan.restartDip, from: hist.pods });
const dir = await mkdtemp(join(tmpdir(), 'releasebot-live-bot-'));
const target = await exporter.start();
const prom = await startBenchPrometheus(target, hist, 5);
log(`Prometheus ${prom.url} with ${days} days backfilled (${prom.backfilled.samples} samples, ${prom.backfilled.ms} ms); exporter ${target}`);
const checks = benchChecks();
const bot = await startBot(dir, { prometheus: prom.url, deployUrl: `http://${target}/deploy`, bakes });
log(`releasebot serve on ${bot.url} (log ${bot.logFile})`);

const startMs = Date.now();
const spikeAt = startMs + ((spikeMinute * MIN - (startMs % 86_400_000) + 86_400_000) % 86_400_000);
exporter.trends.push({ start: startMs + plan.trend.atMs, end: startMs + plan.trend.atMs + plan.trend.spanMs, to: plan.trend.to, ...(plan.trend.tier ? { tier: plan.trend.tier } : {}) });
log(`run: ${minutes} min, ${buildCount} builds (${plan.builds.filter((b) => b.bad).map((b) => b.id).join(', ')} bad); spike at +${Math.round((spikeAt - startMs) / 1000)} s; trend at +${plan.trend.atMs / 1000} s to x${plan.trend.to.toFixed(2)}`);
let report: ReturnType<typeof liveReport> | undefined;
try {
  const run = await drive({ bot, exporter, schedule: { ...plan, spikeAtMs: spikeAt - startMs }, startMs, endMs: startMs + (minutes + 3) * MIN, log });
  const [states, events, decisions] = await Promise.all([bot.builds(), bot.events(), bot.decisions()]);
  report = liveReport({ ...run, startMs, steps: exporter.steps, states, events, decisions });
  await attachEvidence(report, prom.url, checks);
} finally {
  const botCpu = bot.cpuSeconds();
  const promCpu = procCpuSeconds(prom.pid);
  await bot.stop();
  if (keepLog) await copyFile(bot.logFile, keepLog);
  await prom.stop();
  await exporter.stop();
  await rm(dir, { recursive: true, force: true });
  const cpu = process.cpuUsage(cpu0);
  const out = {
    seed, builds: buildCount, minutes, days, bakes,
    at: new Date(wall0).toISOString(),
    wallSeconds: Math.round((Date.now() - wall0) / 1000),
    cpuSeconds: { bench: Math.round((cpu.user + cpu.system) / 1e5) / 10, bot: botCpu, prometheus: promCpu, backfillMs: prom.backfilled.ms },
    loadAverage: { start: load0.map((x) => Number(x.toFixed(2))), end: loadavg().map((x) => Number(x.toFixed(2))) },
    situations: { restartDip: Number(plan.restartDip.toFixed(2)), spikeAtSeconds: Math.round((spikeAt - startMs) / 1000), trend: plan.trend, incident: exporter.incidents.map((i) => ({ atSeconds: Math.round((i.start - startMs) / 1000), seconds: Math.round((i.end - i.start) / 1000), errorsX: Number(i.errors.toFixed(2)), latencyX: Number(i.latency.toFixed(2)) })) },
    ...report,
  };
  console.log(json ? JSON.stringify(out) : JSON.stringify(out, null, 2));
}
