/**
 * `npm run bench:props [-- --runs 60000 --seed N]`: the orchestrator's property test
 * (test/support/reducer-scenario.ts) with many more runs than the suite does. Prints the runs,
 * the seed and the time; on a broken invariant, fast-check's shrunk counterexample and exit code 1.
 */
import fc from 'fast-check';
import { runScenario, scenarioArb } from '../test/support/reducer-scenario.js';

function arg(name: string, fallback: number | undefined): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const runs = arg('runs', 60_000)!;
const seed = arg('seed', undefined) ?? Math.floor(Math.random() * 2 ** 31);
const t0 = performance.now();
const details = fc.check(fc.property(scenarioArb, runScenario), { numRuns: runs, seed });
const seconds = (performance.now() - t0) / 1000;
if (details.failed) {
  console.error(fc.defaultReportMessage(details));
  process.exit(1);
}
console.log(JSON.stringify({ runs: details.numRuns, seed, seconds: Math.round(seconds * 10) / 10, failed: false }));
