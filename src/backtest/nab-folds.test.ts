import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFolds, foldOf } from './nab-folds.js';
import { listNabFiles } from './nab-data.js';
import { existsSync } from 'node:fs';

// nab-dev's 34 files as listed by listNabFiles (category/name), so the test runs without the data.
const DEV = [
  ...['art_daily_no_noise', 'art_daily_perfect_square_wave', 'art_daily_small_noise', 'art_flatline', 'art_noisy'].map((n) => `artificialNoAnomaly/${n}.csv`),
  ...['art_daily_flatmiddle', 'art_daily_jumpsdown', 'art_daily_jumpsup', 'art_daily_nojump', 'art_increase_spike_density', 'art_load_balancer_spikes'].map((n) => `artificialWithAnomaly/${n}.csv`),
  ...[
    'ec2_cpu_utilization_24ae8d', 'ec2_cpu_utilization_53ea38', 'ec2_cpu_utilization_5f5533', 'ec2_cpu_utilization_77c1ca', 'ec2_cpu_utilization_825cc2',
    'ec2_cpu_utilization_ac20cd', 'ec2_cpu_utilization_c6585a', 'ec2_cpu_utilization_fe7f93', 'ec2_disk_write_bytes_1ef3de', 'ec2_disk_write_bytes_c0d644',
    'ec2_network_in_257a54', 'ec2_network_in_5abac7', 'elb_request_count_8c0756', 'grok_asg_anomaly', 'iio_us-east-1_i-a2eb1cd9_NetworkIn',
    'rds_cpu_utilization_cc0c53', 'rds_cpu_utilization_e47b3b',
  ].map((n) => `realAWSCloudwatch/${n}.csv`),
  ...['exchange-2_cpc', 'exchange-2_cpm', 'exchange-3_cpc', 'exchange-3_cpm', 'exchange-4_cpc', 'exchange-4_cpm'].map((n) => `realAdExchange/${n}_results.csv`),
].map((k) => ({ category: k.split('/')[0], name: k.split('/')[1] }));

function check(files: { category: string; name: string }[], mode: 'category' | 'group') {
  const folds = buildFolds(files, mode);
  const seen = new Map<string, string>();
  for (const [fold, keys] of folds) {
    assert.ok(keys.length > 0, `fold ${fold} is empty`);
    for (const k of keys) {
      assert.ok(!seen.has(k), `${k} is in folds ${seen.get(k)} and ${fold}`);
      seen.set(k, fold);
    }
  }
  assert.equal(seen.size, files.length, 'every file is in a fold');
  for (const f of files) assert.ok(seen.has(`${f.category}/${f.name}`), `${f.category}/${f.name} has no fold`);
  return folds;
}

test('category folds: the four categories of nab-dev, every file in exactly one', () => {
  const folds = check(DEV, 'category');
  assert.deepEqual([...folds.keys()].sort(), ['artificialNoAnomaly', 'artificialWithAnomaly', 'realAWSCloudwatch', 'realAdExchange']);
});

test('group folds: every file in exactly one fold; related series are never split', () => {
  const folds = check(DEV, 'group');
  const fold = (k: string) => [...folds].find(([, keys]) => keys.includes(k))![0];
  // The groups, and their sizes.
  const sizes = Object.fromEntries([...folds].map(([g, keys]) => [g, keys.length]));
  assert.deepEqual(sizes, {
    'artificialNoAnomaly': 5,
    'artificialWithAnomaly': 6,
    'realAWSCloudwatch/ec2_cpu': 8,
    'realAWSCloudwatch/ec2_disk': 2,
    'realAWSCloudwatch/ec2_network': 3,
    'realAWSCloudwatch/elb': 1,
    'realAWSCloudwatch/grok': 1,
    'realAWSCloudwatch/rds': 2,
    'realAdExchange/exchange-2': 2,
    'realAdExchange/exchange-3': 2,
    'realAdExchange/exchange-4': 2,
  });
  // Never split: a group never spans categories, and files of one family / exchange share a fold.
  for (const [g, keys] of folds) assert.equal(new Set(keys.map((k) => k.split('/')[0])).size, 1, `${g} spans categories`);
  const families: [RegExp, number][] = [[/ec2_cpu_utilization_/, 8], [/ec2_disk_write_bytes_/, 2], [/NetworkIn|ec2_network_in_/, 3], [/rds_cpu_utilization_/, 2], [/exchange-2_/, 2], [/exchange-3_/, 2], [/exchange-4_/, 2], [/^artificialNoAnomaly\//, 5], [/^artificialWithAnomaly\//, 6]];
  for (const [re, n] of families) {
    const keys = DEV.map((f) => `${f.category}/${f.name}`).filter((k) => re.test(k));
    assert.equal(keys.length, n, String(re));
    assert.equal(new Set(keys.map(fold)).size, 1, `${re} is split over folds`);
  }
  // Group folds refine category folds: each group lies inside one category.
  const cats = buildFolds(DEV, 'category');
  for (const keys of folds.values()) assert.ok([...cats.values()].some((c) => keys.every((k) => c.includes(k))));
});

test('group folds: files of unknown kinds stay with their category (never split by guess)', () => {
  assert.equal(foldOf('realTweets', 'Twitter_volume_AAPL.csv', 'group'), 'realTweets');
  assert.equal(foldOf('realAWSCloudwatch', 'something_new_abc123.csv', 'group'), 'realAWSCloudwatch');
  assert.equal(foldOf('realAdExchange', 'exchange-3_cpm_results.csv', 'group'), 'realAdExchange/exchange-3');
  assert.equal(foldOf('realAdExchange', 'exchange-3_cpm_results.csv', 'category'), 'realAdExchange');
  check([...DEV, { category: 'realTweets', name: 'Twitter_volume_AAPL.csv' }, { category: 'realTweets', name: 'Twitter_volume_GOOG.csv' }], 'group');
});

test('group folds on the nab-dev directory itself (when present) match the list above', { skip: !existsSync('/work/shared/data/nab-dev/data') }, () => {
  const files = listNabFiles('/work/shared/data/nab-dev');
  assert.deepEqual(files.map((f) => `${f.category}/${f.name}`).sort(), DEV.map((f) => `${f.category}/${f.name}`).sort());
  check(files, 'group');
});

test('fold totals: per-file results summed by fold, nothing lost (pooled held-out sums every file once)', async () => {
  const { totalsByFold } = await import('./nab-cv.js');
  const perFile = [1, 2, 3, 4].map((k) => ({ raw: k, scoredWindows: k, windows: k, detected: k, falseAlarms: k }));
  const t = totalsByFold(perFile, ['a', 'b', 'a', 'c']);
  assert.deepEqual([...t.keys()], ['a', 'b', 'c']);
  assert.deepEqual(t.get('a'), { raw: 4, scoredWindows: 4, windows: 4, detected: 4, falseAlarms: 4 });
  assert.equal([...t.values()].reduce((s, x) => s + x.raw, 0), 10);
});
