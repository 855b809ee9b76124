import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/clock.js';
import { BackendDownError, ReleasebotError } from '../domain/errors.js';
import type { Labels } from '../domain/events.js';
import type { MetricsSource, Sample, Series } from './source.js';
import { MatrixStreamParser, parseValue, type LabelIntern, type MatrixSink, type StreamedEnvelope } from './matrix-stream.js';

export { parseValue } from './matrix-stream.js';

/** Bearer token or HTTP basic credentials for the metrics server. */
export type PrometheusAuth = { bearer: string } | { username: string; password: string };

export interface PrometheusSourceOptions {
  /** Base URL of the Prometheus HTTP API (may carry a path prefix, e.g. VictoriaMetrics cluster `/select/0/prometheus`). */
  url: string;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs: number;
  /** Extra attempts after a network error or a 5xx; 4xx are never retried. */
  retries: number;
  auth?: PrometheusAuth;
  /** Injected HTTP client (defaults to the global fetch). */
  fetch?: typeof fetch;
  /** Used for the backoff between retries. */
  clock?: Clock;
  /** First backoff delay in ms; doubles each retry. Default 250. */
  backoffMs?: number;
  /**
   * Ask for gzip-compressed answers: `auto` (default) only when the server is not on this host.
   * Why: compressing and decompressing an answer costs both sides more CPU than sending it
   * uncompressed over loopback (at 10,000 series a third of the bot's steady-tick CPU went to
   * gunzip); across a network the smaller transfer pays.
   */
  compression?: 'auto' | 'gzip' | 'none';
}

interface PromResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}
type VectorEntry = { metric: Labels; value: [number, string] };

/**
 * MetricsSource over the Prometheus HTTP API (`/api/v1/query_range`, `/api/v1/query`), which
 * VictoriaMetrics, Thanos and Mimir also serve. Queries are POSTed form-encoded so long PromQL
 * fits. Errors: BACKEND_DOWN (server unreachable, timed out, 5xx without a query error,
 * credentials refused) names the server and what failed; QUERY_FAILED names the query,
 * the server and Prometheus' errorType and error text.
 */
export class PrometheusSource implements MetricsSource {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly clock: Clock;
  private readonly authHeader?: string;
  private readonly acceptEncoding: string;
  /** Bytes of answer bodies read so far (the bot's /metrics reports it). */
  bytesRead = 0;

  constructor(private readonly opts: PrometheusSourceOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? fetch;
    this.clock = opts.clock ?? new SystemClock();
    if (opts.auth && 'bearer' in opts.auth) this.authHeader = `Bearer ${opts.auth.bearer}`;
    else if (opts.auth) this.authHeader = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`;
    const compression = opts.compression ?? 'auto';
    this.acceptEncoding = compression === 'gzip' || (compression === 'auto' && !isLoopback(this.base)) ? 'gzip' : 'identity';
  }

  async queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<Series[]> {
    let out: Series[] = [];
    await this.queryRangeStream(query, startMs, endMs, stepMs, (labels, timestamps, values) => out.push({ labels, timestamps: timestamps.slice(), values: values.slice() }), () => (out = []));
    return out;
  }

  /**
   * Range query whose answer is read as it arrives (MatrixStreamParser): each series goes to
   * `sink` as soon as it is complete, so the answer is never held as one string or one object
   * tree. `restart` is called before a retry re-reads the answer (the sink may already have had
   * part of the failed attempt). `labels`: label sets to reuse across answers (the window cache's,
   * which hands them to the sink again for the same series). Resolves to the counts of what was
   * read, including the bytes.
   */
  async queryRangeStream(query: string, startMs: number, endMs: number, stepMs: number, sink: MatrixSink, restart?: () => void, labels?: LabelIntern): Promise<StreamedEnvelope> {
    const params = { query, start: secs(startMs), end: secs(endMs), step: secs(stepMs) };
    const env = await this.call('/api/v1/query_range', query, params, async (res, attempt) => {
      if (attempt > 0) restart?.();
      return readStreamed(res, sink, labels);
    });
    this.bytesRead += env.bytes;
    if (env.status !== 'success') throw this.queryError(query, `${env.errorType ?? 'error'}: ${env.error ?? 'no error text'} (HTTP 200)`, env);
    if (env.resultType !== 'matrix') throw this.queryError(query, `expected a matrix result, got ${env.resultType}`);
    return env;
  }

  async query(query: string, atMs: number): Promise<Sample[]> {
    const body = await this.call('/api/v1/query', query, { query, time: secs(atMs) }, async (res) => {
      const text = await res.text();
      this.bytesRead += Buffer.byteLength(text);
      return parseBody(text) ?? { text };
    });
    if (!('status' in body) || !body.data) throw this.queryError(query, `HTTP 200 with a body that is not Prometheus JSON: ${'text' in body ? String(body.text).slice(0, 200) : ''}`);
    if (body.status !== 'success') throw this.queryError(query, `${body.errorType ?? 'error'}: ${body.error ?? 'no error text'} (HTTP 200)`, body);
    const data = body.data;
    switch (data.resultType) {
      case 'vector':
        return (data.result as VectorEntry[]).map((r) => ({ labels: r.metric, timestamp: Math.round(r.value[0] * 1000), value: parseValue(r.value[1]) }));
      case 'scalar': {
        const [ts, v] = data.result as [number, string];
        return [{ labels: {}, timestamp: Math.round(ts * 1000), value: parseValue(v) }];
      }
      default:
        throw this.queryError(query, `expected a vector or scalar result, got ${data.resultType}`);
    }
  }

  async isOnline(): Promise<boolean> {
    try {
      await this.query('1', this.clock.now());
      return true;
    } catch {
      return false;
    }
  }

  /**
   * One API call with timeout and retries. A 2xx answer is handed to `read` (which may stream it);
   * anything else is read as text and turned into BACKEND_DOWN or QUERY_FAILED here.
   */
  private async call<T>(path: string, query: string, params: Record<string, string>, read: (res: Response, attempt: number) => Promise<T>): Promise<T> {
    const url = this.base + path;
    let lastFailure = '';
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      if (attempt > 0) await this.clock.sleep((this.opts.backoffMs ?? 250) * 2 ** (attempt - 1));
      let res: Response;
      let text = '';
      try {
        res = await this.fetchFn(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'accept-encoding': this.acceptEncoding, ...(this.authHeader ? { authorization: this.authHeader } : {}) },
          body: new URLSearchParams(params).toString(),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        if (res.status >= 200 && res.status < 300) return await read(res, attempt);
        text = await res.text();
      } catch (err) {
        if (err instanceof ReleasebotError) throw err;
        if (err instanceof SyntaxError) throw this.queryError(query, `HTTP 200 with a body that is not Prometheus JSON: ${err.message}`);
        // Network error or timeout (also in the middle of a streamed answer): the server may come back, so retry.
        lastFailure = describeNetworkError(err, this.opts.timeoutMs);
        continue;
      }
      const body = parseBody(text);
      if (res.status >= 500) {
        lastFailure = `HTTP ${res.status}${body?.error ? ` (${body.errorType}: ${body.error})` : ''}`;
        // A query that timed out or failed to execute is the query's fault, not the server's:
        // retrying may still help (load), but the final error is QUERY_FAILED.
        if (attempt === this.opts.retries && body?.status === 'error' && ['timeout', 'canceled', 'execution', 'bad_data'].includes(body.errorType ?? '')) {
          throw this.queryError(query, `${body.errorType}: ${body.error} (HTTP ${res.status})`, body);
        }
        continue;
      }
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        // Wrong credentials or wrong URL: no query can succeed, so this is the backend being unusable.
        throw new BackendDownError(`metrics server ${this.base} refused ${path}: HTTP ${res.status}${res.status === 404 ? ' (is this a Prometheus API URL?)' : ' (check metrics.auth)'}`, { server: this.base, status: res.status });
      }
      if (!body) throw this.queryError(query, `HTTP ${res.status} with a body that is not Prometheus JSON: ${text.slice(0, 200)}`);
      throw this.queryError(query, `${body.errorType ?? 'error'}: ${body.error ?? 'no error text'} (HTTP ${res.status})`, body);
    }
    throw new BackendDownError(`metrics server ${this.base} unreachable after ${this.opts.retries + 1} attempt(s) of ${path}: ${lastFailure}`, { server: this.base, path, attempts: this.opts.retries + 1 });
  }

  private queryError(query: string, what: string, body?: { errorType?: string; error?: string }): ReleasebotError {
    return new ReleasebotError('QUERY_FAILED', `query ${JSON.stringify(query)} failed on ${this.base}: ${what}`, {
      query,
      server: this.base,
      errorType: body?.errorType,
      error: body?.error,
    });
  }
}

/** True when `url` names this host (localhost, 127.0.0.0/8, ::1). */
export function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function parseBody(text: string): PromResponse | undefined {
  try {
    const b = JSON.parse(text) as PromResponse;
    return b && typeof b === 'object' && 'status' in b ? b : undefined;
  } catch {
    return undefined;
  }
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err);
}

/** Streams a 2xx answer through the matrix parser; a non-success envelope is returned for the caller to report. */
async function readStreamed(res: Response, sink: MatrixSink, labels?: LabelIntern): Promise<StreamedEnvelope> {
  const parser = new MatrixStreamParser(sink, labels);
  const reader = res.body?.getReader();
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    parser.push(value);
  }
  return parser.end();
}
