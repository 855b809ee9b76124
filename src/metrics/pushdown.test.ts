import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PUSHDOWN_TEMPLATES, promDuration, renderPushdown, type PushdownTemplate } from './pushdown.js';

const vars = { query: ' sum by (tier, az) (rate(errors_total[1m])) ', baselineMs: 3 * 3_600_000, windowMs: 300_000, stepMs: 15_000, dynamicWindowMs: 6 * 3_600_000 };

test('renders the baseline, seasonal and z-score templates exactly', () => {
  assert.equal(renderPushdown('baselineMean', vars), 'avg_over_time((sum by (tier, az) (rate(errors_total[1m])))[3h:15s] offset 5m)');
  assert.equal(renderPushdown('baselineStd', vars), 'stddev_over_time((sum by (tier, az) (rate(errors_total[1m])))[3h:15s] offset 5m)');
  assert.equal(renderPushdown('seasonalMeanDayAgo', vars), 'avg_over_time((sum by (tier, az) (rate(errors_total[1m])))[6h:15s] offset 1d)');
  assert.equal(renderPushdown('seasonalMeanWeekAgo', { query: 'x', dynamicWindowMs: 6 * 3_600_000, stepMs: 60_000 }), 'avg_over_time((x)[6h:1m] offset 1w)');
  assert.equal(
    renderPushdown('zscoreMax', { ...vars, query: 'x' }),
    'max_over_time(((((x) - avg_over_time((x)[3h:15s] offset 5m)) / stddev_over_time((x)[3h:15s] offset 5m)))[5m:15s])',
  );
  // Every template renders with every variable given and leaves no placeholder behind.
  for (const name of Object.keys(PUSHDOWN_TEMPLATES) as PushdownTemplate[]) assert.doesNotMatch(renderPushdown(name, vars), /\{\{|\}\}/);
});

test('render errors are checked: missing or bad variables, empty query', () => {
  assert.throws(() => renderPushdown('baselineMean', { query: 'x', baselineMs: 1000, stepMs: 1000 }), /baselineMean.*missing windowMs/);
  assert.throws(() => renderPushdown('baselineMean', { ...vars, query: '  ' }), /query is empty/);
  assert.throws(() => renderPushdown('baselineMean', { ...vars, stepMs: 1.5 }), /baselineMean.stepMs.*positive whole/);
  assert.throws(() => renderPushdown('nope' as PushdownTemplate, vars), /unknown template/);
});

test('durations use the largest exact unit', () => {
  assert.deepEqual([604_800_000, 86_400_000, 5_400_000, 90_000, 1500].map((ms) => promDuration(ms)), ['1w', '1d', '90m', '90s', '1500ms']);
  assert.throws(() => promDuration(0), /positive/);
});
