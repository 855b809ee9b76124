import { createApp, type App } from '../../src/app/create-app.js';
import { SystemClock } from '../../src/clock/clock.js';
import { configSchema } from '../../src/config/schema.js';

export const REPLICA_TOKEN = 'replica-token-0123456789';
export const SLACK_SECRET = 'replica-slack-signing-secret';

/** A `serve`-like app on `storeUrl` with a simulated deployer and short lease/refresh periods (real time). */
export async function replicaApp(storeUrl: string, opts: { lease?: number; commandTimeout?: number; enabled?: boolean; slackApiUrl?: string } = {}): Promise<App & { lines: string[] }> {
  const config = configSchema.parse({
    server: { port: 0, apiTokens: [REPLICA_TOKEN] },
    store: { url: storeUrl },
    replicas: { ...(opts.enabled === undefined ? {} : { enabled: opts.enabled }), lease: opts.lease ?? 1.5, refresh: 0.1, commandTimeout: opts.commandTimeout ?? 10 },
    pipeline: {
      tick: 0.1,
      stages: [
        { name: 'staging', environment: 'e', tier: 'staging', azs: ['a'], percent: 100, bake: 0.2 },
        { name: 'prod', environment: 'e', tier: 'prod', azs: ['a'], percent: 100, bake: 0.2 },
      ],
    },
    deployer: { type: 'command', command: 'true', timeout: 10, backoff: 0.2 },
    metrics: { type: 'simulated' },
    policy: { shadow: true },
    monitor: { tick: 0.5 },
    notify: {
      console: false,
      ...(opts.slackApiUrl ? { slack: { token: 'xoxb-test', signingSecret: SLACK_SECRET, apiUrl: opts.slackApiUrl, deploysChannel: 'C_DEPLOYS', allowedUsers: ['U_ALLOWED'] } } : {}),
    },
  });
  const lines: string[] = [];
  const app = await createApp({ config, clock: new SystemClock(), log: (l) => lines.push(l) });
  return Object.assign(app, { lines });
}

/** Polls `f` every 50 ms until it returns a truthy value, or fails after `ms`. */
export async function eventually<T>(f: () => Promise<T> | T, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
