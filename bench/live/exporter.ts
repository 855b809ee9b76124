/**
 * The live bench's exporter: an HTTP server that Prometheus scrapes (`GET /metrics`) and that the
 * bot's webhook deployer tells which build runs where (`POST /deploy`). Every process ("pod") of
 * every cell exports what a real service does: a request counter by status code and a latency
 * histogram, growing in wall time. A deploy step restarts the pods it moves (their counters start
 * again from 0, and they serve less for a minute while they warm up). Bad builds raise errors and
 * latency on the pods they run on; a rolled-back build's latency lingers; outside incidents and
 * traffic trends hit whole cells.
 */
import { createServer, type Server } from 'node:http';
import type { DeployRequest } from '../../src/pipeline/deployer.js';
import { mulberry32 } from '../../src/sim/noise.js';
import { freePort } from '../../test/support/prometheus-history.js';
import {
  BASE_ERROR_RATIO, cellMedian, cellName, cellRps, count, counterLines, latencyNoise, normalDraw, podLabels, poissonDraw, zeroCounters,
  type Counters, type DailySpike, type LiveCell, type TrafficTrend,
} from './fleet-model.js';

/** How a bad build hurts where it runs: error ratio and latency multiplied; latency lingers after it leaves. */
export interface BadEffect {
  errors: number;
  latency: number;
  /** After a rollback the pod's latency fades back over this long (caches, queues, connection pools). */
  lingerMs: number;
}

/** An outside incident on every cell during [start, end). */
export interface OutsideIncident {
  start: number;
  end: number;
  errors: number;
  latency: number;
}

/** A deploy or rollback step as the exporter received it. */
export interface ReceivedStep extends DeployRequest {
  at: number;
}

interface Pod {
  name: string;
  cell: LiveCell;
  build: string;
  restartedAt: number;
  /** Latency of a build rolled back from this pod, fading out. */
  linger?: { factor: number; at: number; ms: number };
  counters: Counters;
}

export const BASELINE_BUILD = 'baseline';

export interface ExporterOptions {
  cells: LiveCell[];
  spike: DailySpike;
  seed: number;
  /** Relative dip of a restarted pod's traffic, fading over `restartMs`. */
  restartDip: number;
  restartMs?: number;
  /** How long a deploy step takes before the webhook answers (the rollout). */
  stepMs?: number;
  /** Counters to start from, by pod name (the backfilled history's last values). */
  from?: Map<string, Counters>;
}

export class LiveFleetExporter {
  readonly steps: ReceivedStep[] = [];
  readonly trends: TrafficTrend[] = [];
  readonly incidents: OutsideIncident[] = [];
  private readonly bad = new Map<string, BadEffect>();
  private readonly pods: Pod[] = [];
  private readonly rand: () => number;
  private last = Date.now();
  private timer?: NodeJS.Timeout;
  private server?: Server;
  url = '';

  constructor(private readonly opts: ExporterOptions) {
    this.rand = mulberry32(opts.seed * 7 + 3);
    for (const cell of opts.cells) {
      for (let i = 0; i < cell.pods; i++) {
        const name = `${cellName(cell)}-${i}`;
        const from = opts.from?.get(name);
        this.pods.push({ name, cell, build: BASELINE_BUILD, restartedAt: -Infinity, counters: from ? structuredClone(from) : zeroCounters() });
      }
    }
  }

  /** Listen on a free loopback port and start counting (1 s ticks). Returns `host:port`. */
  async start(): Promise<string> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.render());
      if (req.method === 'POST' && req.url === '/deploy') return void this.receive(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.last = Date.now();
    this.timer = setInterval(() => this.advance(Date.now()), 1000);
    this.url = `127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  markBad(buildId: string, effect: BadEffect): void {
    this.bad.set(buildId, effect);
  }

  isBad(buildId: string): boolean {
    return this.bad.has(buildId);
  }

  /** Which build each pod of a cell runs (for the report's context). */
  buildsOn(tier: string, az: string): string[] {
    return this.pods.filter((p) => p.cell.tier === tier && p.cell.az === az).map((p) => p.build);
  }

  /** The webhook deployer's request: apply it, then answer once the "rollout" is done. */
  private receive(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        const step = JSON.parse(body) as DeployRequest;
        // A retried step (same key) is applied once.
        if (!this.steps.some((s) => s.key === step.key)) this.apply(step, Date.now());
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), this.opts.stepMs ?? 2000);
      } catch (err) {
        res.writeHead(400).end(`bad step: ${(err as Error).message}`);
      }
    });
  }

  /** Moves the step's share of each cell to its build, restarting the pods that change. */
  apply(step: DeployRequest, now: number): void {
    this.advance(now);
    this.steps.push({ ...step, at: now });
    for (const az of step.azs) {
      const pods = this.pods.filter((p) => p.cell.environment === step.environment && p.cell.tier === step.tier && p.cell.az === az);
      if (step.kind === 'deploy') {
        const k = Math.max(1, Math.round((step.percent / 100) * pods.length));
        for (const p of pods.slice(0, k)) if (p.build !== step.buildId) this.restart(p, step.buildId, now);
      } else {
        for (const p of pods.filter((x) => x.build === step.buildId)) this.restart(p, step.targetBuildId ?? BASELINE_BUILD, now);
      }
    }
  }

  private restart(p: Pod, build: string, now: number): void {
    const leaving = this.bad.get(p.build);
    if (leaving && leaving.latency > 1 && leaving.lingerMs > 0) p.linger = { factor: leaving.latency, at: now, ms: leaving.lingerMs };
    p.build = build;
    p.restartedAt = now;
    p.counters = zeroCounters();
  }

  /** Count the requests served since the last tick, pod by pod. */
  advance(now: number): void {
    const dt = (now - this.last) / 1000;
    if (dt <= 0) return;
    this.last = now;
    const incident = this.incidents.filter((i) => now >= i.start && now < i.end);
    const incErrors = incident.reduce((f, i) => f * i.errors, 1);
    const incLatency = incident.reduce((f, i) => f * i.latency, 1);
    for (const p of this.pods) {
      const warm = Math.min(1, (now - p.restartedAt) / (this.opts.restartMs ?? 60_000));
      const rps = (cellRps(p.cell, this.opts.spike, this.trends, now, this.opts.seed) / p.cell.pods) * (1 - this.opts.restartDip * (1 - warm));
      const n = poissonDraw(rps * dt, this.rand);
      const bad = this.bad.get(p.build);
      const linger = p.linger && now - p.linger.at < p.linger.ms ? 1 + (p.linger.factor - 1) * (1 - (now - p.linger.at) / p.linger.ms) : 1;
      const ratio = Math.min(0.95, BASE_ERROR_RATIO * (bad?.errors ?? 1) * incErrors);
      const errors = Math.min(n, poissonDraw(n * ratio, this.rand));
      const median = cellMedian(p.cell, this.opts.spike, now) * (bad?.latency ?? 1) * linger * incLatency * (1 + latencyNoise(n) * 0.5 * normalDraw(this.rand));
      count(p.counters, n, errors, median);
    }
  }

  /** Prometheus text exposition of every pod. */
  render(): string {
    this.advance(Date.now());
    const req = ['# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter'];
    const hist = ['# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram'];
    for (const p of this.pods) {
      const lines = counterLines(podLabels(p.cell, p.name), p.counters);
      req.push(...lines.requests);
      hist.push(...lines.histogram);
    }
    return [...req, ...hist].join('\n') + '\n';
  }
}
