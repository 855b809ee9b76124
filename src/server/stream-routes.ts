import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { requireReader } from './auth.js';
import type { ServerContext } from './context.js';
import { pipelineView } from './pipeline-view.js';

/** Transitions closer together than this are sent as one snapshot (the demo runs hundreds a minute). */
const COALESCE_MS = 100;
/** Wall-clock period of snapshots while a bake is in progress. */
const PROGRESS_MS = 1000;

/**
 * `GET /api/stream`: server-sent events. A `snapshot` event (the `GET /api/pipeline` body) on connect,
 * after every pipeline transition and every second while a build bakes, and a comment heartbeat every `heartbeatMs` so proxies keep the
 * connection open and clients notice a dead server.
 */
export function registerStreamRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const open = new Set<ServerResponse>();
  // Open streams would keep close() waiting forever: end them first.
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });

  app.get('/api/stream', async (req, reply) => {
    requireReader(ctx.auth, req);
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    open.add(res);
    ctx.metrics.sseClients.inc();
    let timer: NodeJS.Timeout | null = null;
    let closed = false;
    const send = async (): Promise<void> => {
      timer = null;
      if (closed) return;
      try {
        const view = await pipelineView(ctx.pipeline.snapshot(), ctx.clock.now(), ctx.store);
        if (!closed) res.write(`event: snapshot\ndata: ${JSON.stringify(view)}\n\n`);
      } catch (err) {
        req.log.warn({ err }, 'stream snapshot failed');
      }
    };
    const schedule = (): void => {
      if (!timer && !closed) timer = setTimeout(() => void send(), COALESCE_MS);
    };
    const unsubscribe = ctx.pipeline.subscribe(schedule);
    const heartbeat = setInterval(() => res.write(`: heartbeat ${ctx.clock.now()}\n\n`), ctx.heartbeatMs);
    // Bake bars move with time, not only with transitions: refresh every second while something bakes.
    const progress = setInterval(() => {
      if (ctx.pipeline.snapshot().slots.some((sl) => sl.phase === 'baking')) schedule();
    }, PROGRESS_MS);
    res.on('close', () => {
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      clearInterval(progress);
      if (timer) clearTimeout(timer);
      open.delete(res);
      ctx.metrics.sseClients.dec();
    });
    res.write(`retry: 2000\n\n`);
    await send();
  });
}
