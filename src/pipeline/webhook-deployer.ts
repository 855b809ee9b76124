import { DeployError } from '../domain/errors.js';
import type { Deployer, DeployRequest } from './deployer.js';

export interface WebhookDeployerOptions {
  url: string;
  headers?: Record<string, string>;
  timeoutSeconds: number;
  /** Injected for tests and proxies; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * POSTs each deploy step as JSON (the DeployRequest) with an `Idempotency-Key` header.
 * 2xx = success; anything else rejects with DEPLOY_FAILED naming the status and the start of the body;
 * no answer within the timeout rejects with DEPLOY_TIMEOUT.
 */
export class WebhookDeployer implements Deployer {
  constructor(private readonly opts: WebhookDeployerOptions) {}

  async deploy(req: DeployRequest, signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.opts.timeoutSeconds * 1000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const doFetch = this.opts.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(this.opts.url, {
        method: 'POST',
        headers: { ...this.opts.headers, 'content-type': 'application/json', 'idempotency-key': req.key },
        body: JSON.stringify(req),
        signal: combined,
      });
    } catch (err) {
      if (timeout.aborted) throw new DeployError('DEPLOY_TIMEOUT', `${req.kind} ${req.key}: ${this.opts.url} gave no answer within ${this.opts.timeoutSeconds}s`, { key: req.key });
      const msg = err instanceof Error ? err.message : String(err);
      throw new DeployError('DEPLOY_FAILED', `${req.kind} ${req.key}: POST ${this.opts.url} failed: ${msg}`, { key: req.key });
    }
    const body = await res.text().catch(() => '');
    if (res.ok) return;
    const snippet = body.length > 200 ? body.slice(0, 200) + '...' : body;
    throw new DeployError('DEPLOY_FAILED', `${req.kind} ${req.key}: ${this.opts.url} answered ${res.status}: ${snippet}`, {
      key: req.key,
      status: res.status,
      body: snippet,
    });
  }
}
