import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploysInProgress, exposedStages, matchesScope, parseScopeSpec, sortByScope } from './scope.js';
import { NAMES, stateWith } from './test-fixtures.js';

const series = (tier: string, az: string, environment = 'commercial') => ({ labels: { tier, az, environment } });

test('deploysInProgress lists occupied slots that deploy, bake or wait, with their scope', () => {
  const state = stateWith({ staging: 'b2', canary: 'b1' });
  state.slots[0].phase = 'deploying';
  state.slots[1].phase = 'rolling_back';
  state.slots[1].buildId = 'b0';
  const d = deploysInProgress(state);
  assert.deepEqual(d.map((x) => [x.buildId, x.stage, x.tier, x.azs.join('|'), x.phase]), [
    ['b2', 'staging', 'staging', 'az1|az2|az3', 'deploying'],
    ['b1', 'canary', 'canary', 'az1|az2|az3', 'baking'],
  ]);
});

test('matchesScope: labels must agree; a missing label matches (aggregated series)', () => {
  const spec = { environment: 'commercial', tier: 'production', azs: ['az1'] };
  assert.equal(matchesScope({ environment: 'commercial', tier: 'production', az: 'az1' }, spec, NAMES), true);
  assert.equal(matchesScope({ environment: 'commercial', tier: 'production', az: 'az2' }, spec, NAMES), false);
  assert.equal(matchesScope({ environment: 'gov', tier: 'production', az: 'az1' }, spec, NAMES), false);
  assert.equal(matchesScope({ tier: 'production' }, spec, NAMES), true);
  assert.equal(matchesScope({ tier: 'canary' }, spec, NAMES), false);
  // Configured label names are honoured.
  assert.equal(matchesScope({ deploy_tier: 'canary' }, { tier: 'production' }, { ...NAMES, tier: 'deploy_tier' }), false);
});

test('sortByScope: canary deploy; production is the reference; stages running the build or newer are exposed', () => {
  // b1 in canary, b2 (newer, contains b1) in staging, dogfood still runs b1 after it moved on.
  const state = stateWith({ staging: 'b2', canary: 'b1' }, { dogfood: 'b1' });
  const deploy = deploysInProgress(state).find((d) => d.stage === 'canary')!;
  const all = ['staging', 'dogfood', 'canary', 'production'].flatMap((t) => ['az1', 'az2'].map((az) => series(t, az)));
  all.push(series('production', 'az1', 'gov'));
  const s = sortByScope(all, state, deploy, NAMES);
  assert.deepEqual(s.inScope.map((x) => x.labels.tier), ['canary', 'canary']);
  assert.deepEqual(s.exposed.map((x) => x.labels.tier), ['staging', 'staging', 'dogfood', 'dogfood']);
  assert.deepEqual(s.reference.map((x) => `${x.labels.environment}/${x.labels.tier}/${x.labels.az}`), [
    'commercial/production/az1', 'commercial/production/az2', 'gov/production/az1',
  ]);
});

test('prod 10% in az1: az2 and az3 of production are the reference', () => {
  const state = stateWith({ 'prod-10': 'b1' }, { staging: 'b1', dogfood: 'b1', canary: 'b1' });
  const deploy = deploysInProgress(state)[0];
  const s = sortByScope([series('production', 'az1'), series('production', 'az2'), series('canary', 'az1')], state, deploy, NAMES);
  assert.deepEqual(s.inScope.map((x) => x.labels.az), ['az1']);
  assert.deepEqual(s.reference.map((x) => x.labels.az), ['az2']);
  assert.deepEqual(s.exposed.map((x) => x.labels.tier), ['canary']);
});

test('whole fleet on the build (prod 100%): no reference series remain', () => {
  const state = stateWith({ 'prod-100': 'b1' }, { staging: 'b2', dogfood: 'b1', canary: 'b1', 'prod-10': 'b1' });
  const deploy = deploysInProgress(state)[0];
  assert.equal(exposedStages(state, 'b1').length, 5);
  const s = sortByScope([series('staging', 'az1'), series('production', 'az3')], state, deploy, NAMES);
  assert.equal(s.reference.length, 0);
  assert.equal(s.inScope.length, 1);
});

test('older builds elsewhere are not exposed to a newer deploy', () => {
  const state = stateWith({ staging: 'b3' }, { dogfood: 'b2', canary: 'b1' });
  assert.deepEqual(exposedStages(state, 'b3').map((s) => s.name), ['staging']);
});

test('parseScopeSpec reads tier/az/environment and rejects unknown keys', () => {
  assert.deepEqual(parseScopeSpec('tier=canary,az=az1,az=az2', NAMES), { tier: 'canary', azs: ['az1', 'az2'] });
  assert.deepEqual(parseScopeSpec('environment=gov', NAMES), { environment: 'gov' });
  assert.throws(() => parseScopeSpec('region=eu', NAMES), /bad scope key "region"/);
  assert.throws(() => parseScopeSpec('canary', NAMES), /use key=value/);
});
