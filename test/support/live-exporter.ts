import { createServer, type Server } from 'node:http';
import { freePort } from './prometheus-history.js';

/** One part of the fleet the exporter reports for. */
export interface ExporterCell {
  environment: string;
  tier: string;
  az: string;
}

/**
 * A small live Prometheus exporter for tests: per cell, counters `app_requests_total` and
 * `app_errors_total` that grow at a steady rate (wall time: Prometheus scrapes in wall time) and
 * a gauge `app_latency_seconds`. `deploy(tier)` restarts the tier's processes (counters back to
 * 0), `silence(tier)` makes the tier stop exporting (a crash loop), `unsilence` brings it back.
 */
export class LiveExporter {
  private readonly started = new Map<string, number>();
  private readonly silent = new Set<string>();
  readonly resets = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly cells: ExporterCell[],
    private readonly rate: { requests: number; errors: number },
  ) {
    for (const c of cells) this.started.set(cellKey(c), Date.now());
  }

  static async start(cells: ExporterCell[], rate = { requests: 20, errors: 0.2 }): Promise<LiveExporter> {
    const port = await freePort();
    const holder: { e?: LiveExporter } = {};
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(holder.e!.render());
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    holder.e = new LiveExporter(server, `127.0.0.1:${port}`, cells, rate);
    return holder.e;
  }

  /** The tier's processes restart with the new build: counters start again from 0. */
  deploy(tier: string): void {
    for (const c of this.cells.filter((x) => x.tier === tier)) this.started.set(cellKey(c), Date.now());
    this.resets.set(tier, (this.resets.get(tier) ?? 0) + 1);
  }

  silence(tier: string): void {
    this.silent.add(tier);
  }

  unsilence(tier: string): void {
    this.silent.delete(tier);
  }

  render(): string {
    const now = Date.now();
    const lines = ['# TYPE app_requests_total counter', '# TYPE app_errors_total counter', '# TYPE app_latency_seconds gauge'];
    for (const c of this.cells) {
      if (this.silent.has(c.tier)) continue;
      const up = (now - this.started.get(cellKey(c))!) / 1000;
      const l = `environment="${c.environment}",tier="${c.tier}",az="${c.az}"`;
      lines.push(`app_requests_total{${l}} ${Math.floor(up * this.rate.requests)}`);
      lines.push(`app_errors_total{${l}} ${Math.floor(up * this.rate.errors)}`);
      lines.push(`app_latency_seconds{${l}} 0.12`);
    }
    return lines.join('\n') + '\n';
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const cellKey = (c: ExporterCell) => `${c.environment}|${c.tier}|${c.az}`;
