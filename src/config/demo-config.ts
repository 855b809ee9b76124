import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

type StageInput = z.input<typeof configSchema>['pipeline']['stages'][number];

/**
 * The Slack-like pipeline (same as examples/releasebot.yaml): staging, dogfood, canary (2%), then
 * production 10% in one AZ, 25%, 50% and 100% across three AZs; commercial first, then gov.
 */
export function slackLikeStages(): StageInput[] {
  const envs = [
    { environment: 'commercial', prefix: '', azs: ['az1', 'az2', 'az3'] },
    { environment: 'gov', prefix: 'gov-', azs: ['az1', 'az2', 'az3'] },
  ];
  return envs.flatMap(({ environment, prefix, azs }) => [
    { name: `${prefix}staging`, environment, tier: 'staging', azs: [azs[0]], percent: 100, bake: '10m' },
    { name: `${prefix}dogfood`, environment, tier: 'dogfood', azs, percent: 100, bake: '20m' },
    { name: `${prefix}canary`, environment, tier: 'canary', azs, percent: 2, bake: '15m' },
    { name: `${prefix}prod-10`, environment, tier: 'production', azs: [azs[0]], percent: 10, bake: '10m' },
    { name: `${prefix}prod-25`, environment, tier: 'production', azs, percent: 25, bake: '10m' },
    { name: `${prefix}prod-50`, environment, tier: 'production', azs, percent: 50, bake: '10m' },
    { name: `${prefix}prod-100`, environment, tier: 'production', azs, percent: 100, bake: '5m' },
  ]);
}

/**
 * The embedded demo configuration (`npm start` with no file): simulated deployer and fleet, the
 * default SQLite store, a few checks covering static, dynamic and seasonal thresholds, default policy.
 * Queries are metric names the simulated fleet answers (`name{label="v"}` selectors also work).
 */
export function defaultDemoConfig(): Config {
  return configSchema.parse({
    server: {
      host: '127.0.0.1',
      port: 8080,
      // The demo's login for actions in the UI (printed in the demo banner). Never use these for real.
      ui: { users: [{ name: 'demo', password: 'releasebot-demo' }] },
    },
    store: { url: 'sqlite:./.releasebot/releasebot.db' },
    pipeline: { tick: '5s', stages: slackLikeStages() },
    deployer: { type: 'simulated', stepSeconds: '20s' },
    metrics: { type: 'simulated', seed: 1 },
    monitor: { tick: '30s', groupingWindow: '10m', quietPeriod: '15m' },
    checks: [
      // Below 0.5 errors/s a series is "no traffic": one error per scrape in staging is noise, not news.
      { name: 'error_rate', query: 'http_errors_rate', direction: 'up', detector: { minVolume: 0.5 }, static: 20, dynamic: 'seasonal' },
      { name: 'latency_p95', query: 'http_latency_p95_ms', direction: 'up', static: 800, dynamic: 'dynamic' },
      { name: 'request_rate', query: 'http_requests_rate', direction: 'down' },
      { name: 'jobs_failed', query: 'jobs_failed_rate', direction: 'up', detector: { minVolume: 0.5 } },
    ],
    policy: {},
    notify: { console: true },
  });
}
