// `npm run bench:demo`: wall and CPU time of `releasebot demo --exit-when-done` (the compiled CLI,
// start-up included), RUNS times (default 3), and where the time goes: one more run under
// --cpu-prof, its samples summed by area (detectors, monitor, store, pipeline, simulated fleet,
// garbage collector, start-up). The target is under 20 s of wall time on the project's 2-core
// machine; wall time depends on what else runs, so CPU time and the load average are printed too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/releasebot.js');
const runs = Number(process.env.RUNS ?? 3);
if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('run `npm run build` first');

/** One run under /usr/bin/time: wall, user and system seconds. */
function timed(extra: string[] = []): { wall: number; cpu: number; rolledBack: number } {
  const cwd = mkdtempSync(join(tmpdir(), 'rb-demo-bench-'));
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, ...extra, bin, 'demo', '--exit-when-done', '--json', '--port', '0'], { cwd, encoding: 'utf8' });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`demo failed (${r.status}): ${r.stderr.slice(-1000)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rolledBack: (JSON.parse(r.stdout) as { rolledBack: number }).rolledBack };
}

const AREAS: Array<[string, RegExp]> = [
  ['detectors (src/detect)', /\/detect\//],
  ['monitor (src/monitor)', /\/monitor\//],
  ['store (SQLite, Kysely)', /\/store\/|better-sqlite3|node:sqlite|kysely/],
  ['pipeline (src/pipeline)', /\/pipeline\//],
  ['simulated fleet and metrics', /\/sim\/|\/metrics\//],
  ['HTTP server, notifiers, app', /\/server\/|\/notify\/|\/app\/|fastify|pino/],
];

/** Sums a .cpuprofile's samples by area of the code on top of the stack. */
function profileAreas(): Array<[string, number]> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-demo-prof-'));
  timed(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const p = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const sums = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const area = f.functionName === '(garbage collector)' ? 'garbage collector'
      : f.functionName === '(idle)' ? 'idle (waiting for I/O or timers)'
      : AREAS.find(([, re]) => re.test(f.url))?.[0] ?? (f.url.startsWith('node:') || f.url === '' ? 'node internals, module loading' : 'other libraries');
    sums.set(area, (sums.get(area) ?? 0) + p.timeDeltas[i] / 1e6);
  });
  return [...sums].sort((a, b) => b[1] - a[1]);
}

console.log(`demo --exit-when-done, ${runs} runs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine`);
const results = Array.from({ length: runs }, () => timed());
for (const [i, r] of results.entries()) console.log(`run ${i + 1}: wall ${r.wall.toFixed(1)} s, CPU ${r.cpu.toFixed(1)} s, rolled back ${r.rolledBack}`);
const walls = results.map((r) => r.wall).sort((a, b) => a - b);
console.log(`wall: min ${walls[0].toFixed(1)} s, median ${walls[Math.floor(walls.length / 2)].toFixed(1)} s, max ${walls[walls.length - 1].toFixed(1)} s (target < 20 s)`);
console.log('where the time goes (one profiled run, seconds of samples):');
for (const [area, s] of profileAreas()) console.log(`  ${s.toFixed(2).padStart(7)}  ${area}`);
