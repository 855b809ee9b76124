import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock/clock.js';
import { configSchema } from '../config/schema.js';
import { SimulatedFleet } from '../sim/fleet.js';
import { SimulatedSource } from '../metrics/simulated.js';
import { evaluateChecks, formatEvaluate, parseAt } from './evaluate.js';

const AT = Date.parse('2026-03-10T10:00:00Z');

function setup() {
  const clock = new ManualClock(AT);
  const fleet = new SimulatedFleet({ seed: 11, clock });
  const source = new SimulatedSource({ fleet, clock });
  const config = configSchema.parse({
    pipeline: { stages: [{ name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1'], percent: 100 }] },
    checks: [
      { name: 'errors', query: 'sum by (environment, tier, az) (http_errors_rate)', static: 50, dynamic: 'seasonal' },
      { name: 'broken', query: 'rate(' },
    ],
  });
  return { clock, fleet, source, config };
}

test('evaluate: one JSON object with every series, scope marks and numbers; a bad query is an error', async () => {
  const { source, config, fleet } = setup();
  fleet.markBadBuild('bad', { factor: 12, metrics: ['http_errors_rate'] });
  fleet.setDeployment({ environment: 'commercial', tier: 'canary', azs: ['az1'], percent: 100, buildId: 'bad', at: AT - 4 * 60_000 });
  const out = await evaluateChecks(config, source, AT, { tier: 'canary', azs: ['az1'] });
  assert.equal(out.at, '2026-03-10T10:00:00.000Z');
  const errors = out.checks.find((c) => c.name === 'errors')!;
  assert.equal(errors.series.length, 24);
  const inScope = errors.series.filter((s) => s.inScope);
  assert.equal(inScope.length, 2, 'canary az1 in both environments (no environment in the scope)');
  const hit = inScope.find((s) => s.labels.environment === 'commercial')!;
  assert.equal(hit.verdict, 'breach');
  assert.equal(typeof hit.value, 'number');
  assert.ok(Object.keys(hit).join(',') === 'labels,inScope,verdict,value,mean,std,z,threshold,rules,reason');
  // Every rule shows the threshold in force in its own unit: a z for the anomaly rule, a level for the seasonal one.
  for (const s of errors.series) {
    assert.deepEqual(s.rules.map((r) => `${r.rule}/${r.unit}`), ['default/z', 'seasonal/value']);
    assert.equal(s.rules[0].threshold, 3, 'the z the monitor counts from, not the detector score');
    if (s.rules[1].verdict !== 'inconclusive') assert.equal(typeof s.rules[1].threshold, 'number');
  }
  const seasonal = hit.rules[1];
  assert.equal(seasonal.threshold, 50, 'max(static 50, level + margin): the static limit is in force at 0.24 errors/s');
  assert.equal(seasonal.verdict, 'pass');
  const quiet = errors.series.find((s) => !s.inScope && s.labels.tier === 'production')!;
  assert.notEqual(quiet.verdict, 'breach');
  const broken = out.checks.find((c) => c.name === 'broken')!;
  assert.deepEqual(broken.series, []);
  assert.match(broken.error!, /QUERY_FAILED/);
  assert.match(formatEvaluate(out), /check errors\n {2}out /);
  assert.match(formatEvaluate(out), /thresholds: default \|z\|>=3\.00, seasonal at \d/);
  assert.doesNotMatch(formatEvaluate(out), /threshold=1\.00/);
});

test('evaluate: backend down is an error per check, never a pass', async () => {
  const { source, config } = setup();
  source.setFault('backend_down');
  const out = await evaluateChecks(config, source, AT);
  assert.match(out.checks[0].error!, /BACKEND_DOWN/);
  source.setFault('no_data');
  const empty = await evaluateChecks(config, source, AT);
  assert.match(empty.checks[0].error!, /no data/);
});

test('parseAt accepts ISO and epoch ms, rejects the rest', () => {
  assert.equal(parseAt('2026-03-10T10:00:00Z'), AT);
  assert.equal(parseAt(String(AT)), AT);
  assert.throws(() => parseAt('yesterday'), /--at "yesterday"/);
});

test('evaluate --scope prints the promotion gate: fresh data passes, a dark canary breaches, a never-seen AZ is inconclusive', async () => {
  const { source, fleet } = setup();
  const config = configSchema.parse({
    pipeline: { stages: [{ name: 'canary', environment: 'commercial', tier: 'canary', azs: ['az1'], percent: 100 }] },
    checks: [{ name: 'requests', query: 'sum by (environment, tier, az) (http_requests_rate)', direction: 'down' }],
  });
  const scope = { environment: 'commercial', tier: 'canary', azs: ['az1'] };
  const ok = await evaluateChecks(config, source, AT, scope, AT - 5 * 60_000);
  assert.equal(ok.gate?.verdict, 'pass', ok.gate?.reason);
  assert.match(formatEvaluate(ok), /gate pass .* requests: 1 in-scope series \(1 fresh\)/s);
  const never = await evaluateChecks(config, source, AT, { ...scope, azs: ['az9'] }, AT - 5 * 60_000);
  assert.equal(never.gate?.verdict, 'inconclusive');
  assert.match(never.gate!.reason, /never reported/);
  fleet.addSilencer((cell, t) => cell.tier === 'canary' && t >= AT - 3 * 60_000);
  const dark = await evaluateChecks(config, source, AT, scope, AT - 5 * 60_000);
  assert.equal(dark.gate?.verdict, 'breach');
  assert.match(dark.gate!.reason, /went dark after the deploy: environment=commercial tier=canary az=az1/);
});
