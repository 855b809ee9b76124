/**
 * `npm run bench:step [-- --json --iterations 5000]`: the cost of one orchestrator transition at the
 * issue's size: 14 stages (each baking a build), 200 queued and 1,000 finished builds. Reports the
 * median and 90th percentile of a quiet tick (the common case), of a tick plus the runner's
 * "did anything change" check, and of a build arriving and a step succeeding. Bar: median tick <= 100 us.
 * Figures are wall-clock on a shared machine: run it a few times and read the spread.
 */
import type { StageDef } from '../src/domain/pipeline.js';
import type { BuildState, PipelineState } from '../src/pipeline/state.js';
import { stateChanged } from '../src/pipeline/state-diff.js';
import { initialState, step } from '../src/pipeline/step.js';

const STAGES = 14;
const QUEUED = 200;
const FINISHED = 1000;
const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 5000;
const json = process.argv.includes('--json');

function bigState(): PipelineState {
  const stages: StageDef[] = Array.from({ length: STAGES }, (_, i) => ({ name: `stage${i}`, environment: 'prod', tier: `t${i}`, azs: ['a', 'b', 'c'], percent: 10, bakeSeconds: 3600 }));
  const s = initialState(stages);
  const add = (b: BuildState) => (s.builds[b.id] = b);
  let seq = 1;
  for (let i = 0; i < FINISHED; i++, seq++) add({ id: `f${seq}`, seq, status: 'completed', stageIndex: STAGES - 1, includes: [], bakedThrough: STAGES - 1, receivedAt: seq });
  // One build baking in each stage, the oldest furthest along.
  for (let k = STAGES - 1; k >= 0; k--, seq++) {
    const id = `p${seq}`;
    add({ id, seq, status: 'in_pipeline', stageIndex: k, includes: [], bakedThrough: k - 1, receivedAt: seq });
    Object.assign(s.slots[k], { buildId: id, phase: 'baking', since: 0, bakeUntil: 1e12, runningBuildId: id, lastGoodBuildId: `f${FINISHED}` });
  }
  for (let i = 0; i < QUEUED; i++, seq++) {
    add({ id: `q${seq}`, seq, status: 'queued', stageIndex: -1, includes: [], receivedAt: seq });
    s.queue.push(`q${seq}`);
  }
  s.nextSeq = seq;
  s.nextId = seq;
  return s;
}

function measure(name: string, fn: (i: number) => void): { name: string; medianUs: number; p90Us: number } {
  for (let i = 0; i < 200; i++) fn(i); // warm up
  const t: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    t.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  t.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { name, medianUs: r(t[Math.floor(t.length / 2)]), p90Us: r(t[Math.floor(t.length * 0.9)]) };
}

const base = bigState();
const results = [
  measure('tick', (i) => step(base, { type: 'tick' }, 1000 + i)),
  measure('tick + change check', (i) => {
    const r = step(base, { type: 'tick' }, 1000 + i);
    stateChanged(base, r.state);
  }),
  measure('build arrives', (i) => step(base, { type: 'build_received', build: { id: `n${i}` } }, 1000 + i)),
  measure('bake ends, promotion', (i) => {
    const s = { ...base, slots: base.slots.map((sl, k) => (k === 5 ? { ...sl, bakeUntil: 0 } : sl)) };
    void i;
    step(s, { type: 'tick' }, 2000);
  }),
];
const out = { stages: STAGES, queued: QUEUED, finished: FINISHED, iterations, results, bar: { medianTickUs: 100, ok: results[0].medianUs <= 100 } };
if (json) console.log(JSON.stringify(out));
else {
  for (const r of results) console.log(`${r.name.padEnd(24)} median ${r.medianUs} us   p90 ${r.p90Us} us`);
  console.log(`bar: median tick <= 100 us: ${out.bar.ok ? 'met' : 'NOT met'}`);
}
