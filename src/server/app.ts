import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { SystemClock, type Clock } from '../clock/clock.js';
import type { Config } from '../config/schema.js';
import type { ChartProvider } from '../monitor/chart.js';
import type { PipelineControl } from '../pipeline/control.js';
import { sessionStoreFor } from '../store/kysely-session-store.js';
import type { SessionStore } from '../store/session-store.js';
import type { Store } from '../store/store.js';
import { registerActionRoutes } from './actions-routes.js';
import { Authenticator } from './auth.js';
import { installAuthHooks } from './auth-hook.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerBuildRoutes } from './builds-routes.js';
import type { ReplicaRole, ServerContext } from './context.js';
import { registerEventRoutes } from './events-routes.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerHistoryRoutes } from './history-routes.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { installErrorHandler } from './http-errors.js';
import { LoginThrottle } from './login-throttle.js';
import { registerPipelineRoutes } from './pipeline-routes.js';
import { installSecurityHeaders } from './security-headers.js';
import { createServerMetrics, type ServerMetrics } from './server-metrics.js';
import { SessionManager } from './sessions.js';
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
  /** Key for SSO users' CSRF tokens; defaults to `config.ui.sessionSecret`, else random per start. */
  sessionSecret?: string;
  /** Wall clock for session expiry and login lockouts (default: system clock). */
  sessionClock?: Clock;
  /** Where UI sessions live (default: the store's sessions table). */
  sessions?: SessionStore;
  /** SSE heartbeat interval in wall-clock ms (default 15000). */
  heartbeatMs?: number;
  /** Fastify logger option (default: off). */
  logger?: boolean;
  /** Whether the metrics backend answers (readiness, `GET /readyz`); without it only the store is checked. */
  metricsOnline?: () => Promise<boolean>;
  /** This process's part among replicas (`/readyz`, `/healthz`); default `single`. */
  role?: () => ReplicaRole;
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
    // Behind a proxy (see docs/security.md) the client's protocol and address come from X-Forwarded-*,
    // believed only from the configured proxy addresses: anyone else could claim any address.
    trustProxy: deps.config.ui.trustedProxies.length > 0 ? deps.config.ui.trustedProxies : false,
    bodyLimit: 1024 * 1024,
    // Fastify's and Node's own early 400/414/431 answers in the documented error body.
    frameworkErrors,
    clientErrorHandler,
  });
  const sessionSecret = deps.sessionSecret ?? deps.config.ui.sessionSecret;
  const wallClock = deps.sessionClock ?? new SystemClock();
  const sessions = new SessionManager(deps.sessions ?? sessionStoreFor(deps.store), deps.config.ui.users, wallClock);
  const auth = new Authenticator(deps.config, sessions, sessionSecret ? Buffer.from(sessionSecret) : randomBytes(32));
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
    ...(deps.metricsOnline ? { metricsOnline: deps.metricsOnline } : {}),
    role: deps.role ?? (() => ({ role: 'single' })),
  };
  installErrorHandler(app);
  // CSP and friends on every response: the UI needs no framing and no foreign scripts (uPlot is served from /static).
  installSecurityHeaders(app, (req) => req.protocol === 'https');
  installAuthHooks(app, ctx);
  registerAuthRoutes(app, ctx, new LoginThrottle(wallClock));
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
