import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployEvent, Signal } from '../domain/events.js';
import type { GateRecord } from '../domain/gate.js';
import { latestGatePerStage, presentEvent, verdictRows, withGateSamples } from './verdict-table.js';

const sig = (check: string, az: string, inScope: boolean, verdict: Partial<Signal['verdict']> = {}): Signal => ({
  check, labels: { az }, inScope, at: 2_000, firstAt: 1_000,
  verdict: { kind: 'breach', rule: 'zscore', reason: '', value: 5, mean: 1, z: 8, threshold: 3, ...verdict },
});

test('verdict rows: one per check and scope, series counted once, in-scope and strongest first, gate samples added', () => {
  const e = { id: 'e', buildId: 'b', stage: 's', signals: [
    sig('latency', 'az1', false, { z: 20 }),
    sig('errors', 'az1', true, { z: 4 }),
    sig('errors', 'az1', true, { rule: 'dynamic', z: undefined, threshold: 2 }),
    sig('errors', 'az2', true, { z: 6, value: 7 }),
  ] } as unknown as DeployEvent;
  const rows = verdictRows(e);
  assert.deepEqual(rows.map((r) => [r.check, r.inScope, r.series]), [['errors', true, 2], ['latency', false, 1]]);
  assert.equal(rows[0].value, 7, 'the strongest series speaks for the row');
  assert.equal(rows[0].usual, 1);
  assert.match(rows[0].scope, /in deploy scope \(az1, az2\)/);
  const gate = { checks: [{ check: 'errors', samplesSinceDeploy: 42 }] } as unknown as GateRecord;
  assert.deepEqual(withGateSamples(rows, gate).map((r) => r.samples), [42, undefined]);
});

test('gates: the newest record per stage; an event takes its samples from its own stage\'s gate', () => {
  const g = (stage: string, at: number, samples: number) => ({ id: `${stage}${at}`, buildId: 'b', stage, evaluatedAt: at, checks: [{ check: 'errors', samplesSinceDeploy: samples }] }) as unknown as GateRecord;
  const latest = latestGatePerStage([g('staging', 1, 5), g('staging', 3, 9), g('canary', 2, 7)]);
  assert.deepEqual(latest.map((r) => r.id), ['canary2', 'staging3']);
  const e = { id: 'e', buildId: 'b', stage: 'staging', signals: [sig('errors', 'az1', true)] } as unknown as DeployEvent;
  assert.equal(presentEvent(e, latest).verdicts[0].samples, 9);
  assert.equal(presentEvent(e).verdicts[0].samples, undefined);
});
