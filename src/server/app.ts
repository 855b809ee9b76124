import Fastify, { type FastifyInstance } from 'fastify';
import { SystemClock, type Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { ChartProvider } from '../monitor/chart.js';
import type { PipelineControl } from '../pipeline/control.js';
import type { Store } from '../store/store.js';
import { registerActionRoutes } from './actions-routes.js';
import { Authenticator } from './auth.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerBuildRoutes } from './builds-routes.js';
import type { ServerContext } from './context.js';
import { registerEventRoutes } from './events-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerHistoryRoutes } from './history-routes.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { installErrorHandler } from './http-errors.js';
import { registerPipelineRoutes } from './pipeline-routes.js';
import { installSecurityHeaders } from './security-headers.js';
import { createServerMetrics, type ServerMetrics } from './server-metrics.js';
import { registerStreamRoutes } from './stream-routes.js';
import { registerUiRoutes } from './ui-routes.js';

/** Dependencies of the HTTP server. */
export interface ServerDeps {
  config: Config['server'];
  store: Store;
  pipeline: PipelineControl;
  /** Draws event charts (the monitor); without it event pages show no charts. */
  charts?: ChartProvider;
  /** The pipeline's clock (virtual in the demo). */
  clock: Clock;
  /** Extra routes registered on the same instance (e.g. the Slack interactivity endpoint). */
  registerExtra?: (app: FastifyInstance) => void;
  /** Session-cookie HMAC key; defaults to `config.ui.sessionSecret`, else random per start. */
  sessionSecret?: string;
  /** Wall clock for session expiry (default: system clock). */
  sessionClock?: Clock;
  /** SSE heartbeat interval in wall-clock ms (default 15000). */
  heartbeatMs?: number;
  /** Fastify logger option (default: off). */
  logger?: boolean;
}

/** A Fastify instance with the server's metrics registry attached (for extra metrics from registerExtra). */
export type ReleasebotServer = FastifyInstance & { releasebotMetrics: ServerMetrics };

/**
 * Builds the HTTP server: JSON API, SSE stream, `/healthz`, `/metrics`, login and the web UI.
 * Not listening yet: call `app.listen({ host, port })` (or `app.inject` in tests).
 */
export function buildServer(deps: ServerDeps): ReleasebotServer {
  const app = Fastify({
    logger: deps.logger ?? false,
    // Behind an SSO proxy (see docs/ui.md) the client's protocol and address come from X-Forwarded-*.
    trustProxy: deps.config.ui.trustedUserHeader !== undefined,
    bodyLimit: 1024 * 1024,
    // Fastify's and Node's own early 400/414/431 answers in the documented error body.
    frameworkErrors,
    clientErrorHandler,
  });
  const sessionSecret = deps.sessionSecret ?? deps.config.ui.sessionSecret;
  const auth = new Authenticator(deps.config, {
    sessionClock: deps.sessionClock ?? new SystemClock(),
    ...(sessionSecret ? { sessionSecret } : {}),
  });
  const metrics = createServerMetrics({ store: deps.store, pipeline: deps.pipeline });
  const ctx: ServerContext = {
    config: deps.config,
    store: deps.store,
    pipeline: deps.pipeline,
    clock: deps.clock,
    auth,
    metrics,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
    ...(deps.charts ? { charts: deps.charts } : {}),
  };
  installErrorHandler(app);
  // CSP and friends on every response: the UI needs no framing and no foreign scripts (uPlot is served from /static).
  installSecurityHeaders(app, (req) => req.protocol === 'https');
  registerAuthRoutes(app, ctx);
  registerBuildRoutes(app, ctx);
  registerPipelineRoutes(app, ctx);
  registerActionRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerHistoryRoutes(app, ctx);
  registerStreamRoutes(app, ctx);
  registerHealthRoutes(app, ctx);
  registerUiRoutes(app, ctx);
  app.decorate('releasebotMetrics', metrics);
  deps.registerExtra?.(app);
  return app as unknown as ReleasebotServer;
}
