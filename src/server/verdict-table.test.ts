import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployEvent, Signal } from '../domain/events.js';
import type { GateRecord } from '../domain/gate.js';
import { verdictRows, withGateSamples } from './verdict-table.js';

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
