import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the fake Slack received, with its parsed body (JSON-looking form values decoded). */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  /** HTTP status the fake answered with. */
  status: number;
  /** Slack `error` when it answered `ok: false`. */
  error?: string;
}

/** A failure to inject: an HTTP status (429 with Retry-After, 500...) or a Slack platform error (HTTP 200, ok:false). */
export type SlackFault = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 } | { error: string };

/**
 * A loopback stand-in for the Slack Web API (`POST /api/<method>`), for tests that drive the real
 * `@slack/web-api` client. Records every call; answers like Slack; fails on demand.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** e-mail -> user id for users.lookupByEmail. */
  readonly usersByEmail = new Map<string, string>();
  /** user group id -> member ids for usergroups.users.list. */
  readonly groups = new Map<string, string[]>();
  private faults: Array<{ method: string; fault: SlackFault }> = [];
  private tsCounter = 0;
  private server?: Server;

  /** Base URL to pass as `notify.slack.apiUrl`. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The next `times` calls of `method` ('*' for any) fail with `fault`. */
  failNext(method: string, fault: SlackFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ method, fault });
  }

  /** Drops faults not yet used. */
  clearFaults(): void {
    this.faults = [];
  }

  /** Successful calls of one method, in order. */
  ok(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && !c.error);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const body = parseBody(Buffer.concat(chunks).toString('utf8'), String(req.headers['content-type'] ?? ''));
    const i = this.faults.findIndex((f) => f.method === method || f.method === '*');
    if (i >= 0) {
      const [{ fault }] = this.faults.splice(i, 1);
      if ('error' in fault) return this.reply(res, { method, body, status: 200, error: fault.error }, { ok: false, error: fault.error });
      const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': String(fault.retryAfter) } : {};
      return this.reply(res, { method, body, status: fault.status }, { ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' }, headers);
    }
    this.reply(res, { method, body, status: 200 }, this.answer(method, body));
  }

  private answer(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'chat.postMessage': {
        const ts = `1700000000.${String(++this.tsCounter).padStart(6, '0')}`;
        return { ok: true, channel: body.channel, ts, message: { text: body.text, ts } };
      }
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts, text: body.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `1700000001.${String(++this.tsCounter).padStart(6, '0')}` };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(body.users)}` } };
      case 'users.lookupByEmail': {
        const id = this.usersByEmail.get(String(body.email));
        return id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' };
      }
      case 'usergroups.users.list':
        return { ok: true, users: this.groups.get(String(body.usergroup)) ?? [] };
      default:
        return { ok: true };
    }
  }

  private reply(res: ServerResponse, call: SlackCall, json: Record<string, unknown>, headers: Record<string, string> = {}): void {
    if (json.ok === false && call.status === 200) call.error = String(json.error);
    this.calls.push(call);
    res.writeHead(call.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(json));
  }
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The client JSON-encodes objects and arrays (blocks) inside the form.
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
