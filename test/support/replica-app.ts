import { createApp, type App } from '../../src/app/create-app.js';
import { SystemClock } from '../../src/clock/clock.js';
import { configSchema } from '../../src/config/schema.js';
import { ACTION_IDS, type SlackActionKind } from '../../src/notify/slack-blocks.js';
import { computeSlackSignature } from '../../src/server/slack-signature.js';

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

/** A signed Slack button click (event ev-1, build f1), as Slack sends it now, for `server.inject`. */
export function slackClick(kind: SlackActionKind, user: string, actionTs: string) {
  const payload = { type: 'block_actions', user: { id: user }, channel: { id: 'C_DEPLOYS' }, actions: [{ action_id: ACTION_IDS[kind], value: JSON.stringify({ eventId: 'ev-1', buildId: 'f1' }), action_ts: actionTs }] };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  return { method: 'POST' as const, url: '/slack/actions', payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': computeSlackSignature(SLACK_SECRET, ts, body) } };
}
