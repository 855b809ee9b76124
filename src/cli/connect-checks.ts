import { SystemClock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import { PrometheusSource } from '../metrics/prometheus.js';
import { createSlackClient } from '../notify/slack.js';
import { createStore } from '../store/create.js';
import { describeFailure } from './exit.js';

/** What `check-config --connect` found when it tried one dependency. */
export interface ConnectResult {
  target: 'store' | 'prometheus' | 'slack';
  ok: boolean;
  /** What answered (ok) or what failed and what to do. */
  message: string;
}

function reason(err: unknown): string {
  return describeFailure(err).lines[0].replace(/^releasebot: (store: )?/, '');
}

/** Opens the store as `serve` would (creating and migrating it), then closes it. */
export async function tryStore(config: Config): Promise<ConnectResult> {
  try {
    const store = await createStore(config.store.url);
    await store.close();
    return { target: 'store', ok: true, message: `opened ${config.store.url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')}` };
  } catch (err) {
    return { target: 'store', ok: false, message: reason(err) };
  }
}

/** Runs the query `vector(1)` against the configured Prometheus, with its auth, timeout and retries. */
export async function tryPrometheus(config: Config): Promise<ConnectResult | undefined> {
  const m = config.metrics;
  if (m.type !== 'prometheus') return undefined;
  const source = new PrometheusSource({ url: m.url, timeoutMs: m.timeout * 1000, retries: 0, auth: m.auth, clock: new SystemClock() });
  try {
    await source.query('vector(1)', Date.now());
    return { target: 'prometheus', ok: true, message: `${m.url} answered a query` };
  } catch (err) {
    return { target: 'prometheus', ok: false, message: `${(err as Error).message}; check metrics.url and metrics.auth` };
  }
}

/** Calls Slack's auth.test with the bot token: proves the token and the API URL. */
export async function trySlack(config: Config): Promise<ConnectResult | undefined> {
  const slack = config.notify.slack;
  if (!slack) return undefined;
  try {
    const r = await createSlackClient(slack).auth.test();
    return { target: 'slack', ok: true, message: `auth.test: bot ${r.user ?? '?'} in workspace ${r.team ?? '?'}` };
  } catch (err) {
    return { target: 'slack', ok: false, message: `auth.test failed: ${(err as Error).message}; check notify.slack.token (a bot token, xoxb-...)` };
  }
}

/** Tries every configured dependency, one after another. */
export async function tryDependencies(config: Config): Promise<ConnectResult[]> {
  const results = [await tryStore(config), await tryPrometheus(config), await trySlack(config)];
  return results.filter((r): r is ConnectResult => r !== undefined);
}
