import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runScenario, scenarioArb } from '../../test/support/reducer-scenario.js';

/**
 * The orchestrator's invariants over random observation sequences with restarts (see
 * test/support/reducer-invariants.ts for the list). RUNS is sized so the suite finds the known
 * regressions (holds lost through rollbacks, a lowered auto-lift threshold, pruned rollback targets)
 * in seconds; `npm run bench:props` runs many more. FC_SEED / FC_RUNS reproduce or extend a run.
 */
const RUNS = Number(process.env.FC_RUNS ?? 8000);

describe('step: properties over random runs', () => {
  it(`keeps every invariant (${RUNS} runs)`, () => {
    const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
    fc.assert(fc.property(scenarioArb, runScenario), { numRuns: RUNS, ...(seed === undefined ? {} : { seed }) });
  });
});
