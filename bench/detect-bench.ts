/**
 * Detection speed: the seed z-score and the seasonal dynamic threshold for 10,000 series with 3 h
 * of 15 s samples (plus the judged 5 min) and 3 h seasonal windows one day and one week ago.
 * Compares a full evaluation (evaluateCheck) with a plain single-pass Float64Array loop over the
 * same data (the memory-bandwidth floor), and measures an incremental tick (one new sample per
 * series). Times are medians of several warmed-up runs, floor and evaluation alternating.
 * The default detector is measured twice: replayed over the fetched baseline per evaluation (no
 * kept state), and as the monitor runs it, one `DefaultDetectorState` per series kept across ticks
 * (wall-time median and CPU time of a steady tick, and the first tick that fills the states).
 * Run: `npm run bench` (`-- --json` for JSON).
 */
import { evaluateCheck } from '../src/detect/evaluate-check.js';
import { IncrementalCheck } from '../src/detect/incremental-check.js';
import { resolveGuards } from '../src/detect/guards.js';
import type { CheckInput } from '../src/detect/check.js';
import { DefaultDetectorState } from '../src/detect/default-state.js';

const SERIES = 10_000;
const STEP = 15_000;
const BASELINE = 720; // 3 h
const WINDOW = 20; // 5 min
const TODAY = BASELINE + WINDOW;
const PERIOD = BASELINE; // seasonal windows (3 h each)
const now = 1_700_000_000_000;

function data() {
  const timestamps = new Float64Array(TODAY);
  for (let i = 0; i < TODAY; i++) timestamps[i] = now - (TODAY - 1 - i) * STEP;
  const ts = (off: number) => timestamps.subarray(WINDOW).map((t) => t - off);
  const today = new Float64Array(SERIES * TODAY);
  const past = new Float64Array(SERIES * PERIOD * 2);
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < today.length; i++) today[i] = 100 + 10 * rnd();
  for (let i = 0; i < past.length; i++) past[i] = 100 + 10 * rnd();
  return { timestamps, dayTs: ts(86_400_000), weekTs: ts(7 * 86_400_000), today, past };
}

function time(f: () => number): { ms: number; sink: number } {
  const t0 = performance.now();
  const sink = f();
  return { ms: performance.now() - t0, sink };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median time of each function over `rounds` rounds. The functions alternate within a round, so
 * load from other processes hits the floor and the evaluation alike and the ratio stays honest.
 */
function medians(rounds: number, fs: Array<() => number>): number[] {
  const times = fs.map((): number[] => []);
  for (let r = 0; r < rounds; r++) fs.forEach((f, i) => times[i].push(time(f).ms));
  return times.map(median);
}

function main(): void {
  const json = process.argv.includes('--json');
  const d = data();
  const floor = () => {
    let s = 0;
    for (let i = 0; i < d.today.length; i++) s += d.today[i];
    for (let i = 0; i < d.past.length; i++) s += d.past[i];
    return s;
  };
  const detector = { type: 'zscore' as const, baseline: 3 * 3600, window: 300, threshold: 3 };
  const full = () => {
    let breaches = 0;
    for (let k = 0; k < SERIES; k++) {
      const input: CheckInput = {
        samples: { timestamps: d.timestamps, values: d.today.subarray(k * TODAY, (k + 1) * TODAY) },
        now, direction: 'up', detector, static: 105, dynamic: 'seasonal', dynamicWindowSeconds: 3 * 3600,
        seasonal: {
          dayAgo: { timestamps: d.dayTs, values: d.past.subarray(2 * k * PERIOD, (2 * k + 1) * PERIOD) },
          weekAgo: { timestamps: d.weekTs, values: d.past.subarray((2 * k + 1) * PERIOD, (2 * k + 2) * PERIOD) },
        },
      };
      const r = evaluateCheck(input);
      if (r.anomaly.kind === 'breach') breaches++;
      if (r.threshold?.kind === 'breach') breaches++;
    }
    return breaches;
  };
  const shape = { baseline: BASELINE, window: WINDOW, dynamic: PERIOD, threshold: 3, direction: 'up' as const, guards: resolveGuards({}), static: 105 };
  const checks = Array.from({ length: SERIES }, () => new IncrementalCheck(shape));
  checks.forEach((c, k) => {
    for (let i = 0; i < TODAY; i++) c.push(d.today[k * TODAY + i], d.past[2 * k * PERIOD + (i % PERIOD)], d.past[(2 * k + 1) * PERIOD + (i % PERIOD)]);
  });
  let tickNo = 0;
  const tick = () => {
    let breaches = 0;
    tickNo++;
    for (let k = 0; k < SERIES; k++) {
      const c = checks[k];
      c.push(100 + ((k + tickNo) % 10), 100, 100);
      if (c.zscore().kind === 'breach') breaches++;
      if (c.seasonal().kind === 'breach') breaches++;
    }
    return breaches;
  };
  // Without a kept state the default detector replays the fetched baseline on every evaluation
  // (O(baseline) per series): measured on 1,000 of the series and reported per 10,000.
  const defaultDetector = { type: 'default' as const, baseline: 3 * 3600, window: 300, threshold: 3 };
  const replayed = () => {
    let breaches = 0;
    for (let k = 0; k < SERIES / 10; k++) {
      const samples = { timestamps: d.timestamps, values: d.today.subarray(k * TODAY, (k + 1) * TODAY) };
      const r = evaluateCheck({ samples, now, direction: 'up', detector: defaultDetector, dynamic: 'off', dynamicWindowSeconds: 3 * 3600 });
      if (r.anomaly.kind === 'breach') breaches++;
    }
    return breaches;
  };
  // The monitor's path for the default detector: one state per series kept across ticks
  // (src/detect/default-state.ts), each tick feeding the one new sample and judging the window.
  const TICKS = 40;
  const len = TODAY + TICKS;
  const grownTs = new Float64Array(len);
  for (let i = 0; i < len; i++) grownTs[i] = now - (TODAY - 1 - i) * STEP;
  const grown = new Float64Array(SERIES * len);
  for (let k = 0; k < SERIES; k++) {
    grown.set(d.today.subarray(k * TODAY, (k + 1) * TODAY), k * len);
    for (let i = TODAY; i < len; i++) grown[k * len + i] = 100 + ((k + i) % 10);
  }
  const states = Array.from({ length: SERIES }, () => new DefaultDetectorState());
  let stateTick = 0;
  const stateful = () => {
    let breaches = 0;
    const b = stateTick++;
    const timestamps = grownTs.subarray(b, b + TODAY);
    // Just after the newest sample, as a monitor tick is.
    const at = timestamps[TODAY - 1] + 1;
    for (let k = 0; k < SERIES; k++) {
      const samples = { timestamps, values: grown.subarray(k * len + b, k * len + b + TODAY) };
      const r = evaluateCheck({ samples, now: at, direction: 'up', detector: defaultDetector, dynamic: 'off', dynamicWindowSeconds: 3 * 3600, detectorState: states[k] });
      if (r.anomaly.kind === 'breach') breaches++;
    }
    return breaches;
  };
  const t0 = performance.now();
  stateful(); // the first tick fills every state (a replay of the fetched window per series)
  const firstStatefulMs = performance.now() - t0;
  for (let w = 0; w < 3; w++) (floor(), full(), tick(), replayed(), stateful()); // warm up the JIT
  const [floorMs, fullMs] = medians(9, [floor, full]);
  const [tickMs] = medians(21, [tick]);
  const [replayMs] = medians(5, [replayed]);
  const [statefulMs] = medians(Math.min(21, TICKS - 10), [stateful]);
  // CPU time of the same ticks (less sensitive to other processes than the wall-time medians).
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < 5; r++) stateful();
  const cpu = process.cpuUsage(cpu0);
  const out = {
    series: SERIES,
    samplesPerSeries: TODAY + 2 * PERIOD,
    floorMs: +floorMs.toFixed(2),
    fullEvaluationMs: +fullMs.toFixed(2),
    fullSeriesPerSecond: Math.round((SERIES * 1000) / fullMs),
    ratioToFloor: +(fullMs / floorMs).toFixed(2),
    incrementalTickMs: +tickMs.toFixed(2),
    incrementalSeriesPerSecond: Math.round((SERIES * 1000) / tickMs),
    defaultDetectorMsPer10k: +(replayMs * 10).toFixed(1),
    defaultDetectorFirstTickMs: +firstStatefulMs.toFixed(1),
    defaultDetectorTickMs: +statefulMs.toFixed(2),
    defaultDetectorTickCpuMs: +((cpu.user + cpu.system) / 1000 / 5).toFixed(2),
    defaultDetectorRestarts: states.reduce((n, s) => n + s.restarts, 0),
  };
  if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else for (const [k, v] of Object.entries(out)) process.stdout.write(`${k.padEnd(28)}${v}\n`);
}

main();
