/**
 * The HTTP application, assembled: the middleware (request record, Host and Origin guards, access
 * key), the routes of ccproxy and of each provider, and the one error boundary.
 */
import { Hono } from 'hono';
import { ProxyError } from '../errors.js';
import type { App, AppDeps, AppEnv } from './app-deps.js';
import { registerDashboard } from './dashboard/routes.js';
import { createDirectRoutes, type DirectHandler } from './direct-routes.js';
import { accessKey } from './middleware/access-key.js';
import { errorBoundary } from './middleware/error-boundary.js';
import { requestRecord } from './middleware/request-record.js';
import { createPipelineDeps } from './pipeline-deps.js';
import { hostGuard, originGuard } from './request-guards.js';
import { registerCountTokensRoutes } from './routes/count-tokens.js';
import { registerModelsRoute } from './routes/models.js';
import { registerProxyRoutes } from './routes/proxy.js';
import { registerHealthRoute, registerMetricsRoute } from './routes/status.js';
import { registerStoredResponseRoutes } from './routes/stored-responses.js';
import { isLoopbackHost } from './serve.js';

export type { AppDeps } from './app-deps.js';

/** The application, and its proxied API routes served on Node's request directly. */
export interface CreatedApp {
  app: App;
  /** For `startServer`: takes the requests it serves itself (see direct-routes.ts). */
  direct: DirectHandler;
}

/** Creates the application. */
export function createApp(deps: AppDeps): CreatedApp {
  const app = new Hono<AppEnv>();
  const now = deps.now ?? (() => performance.now());
  const pipeline = createPipelineDeps(deps, now);
  const authToken = deps.config.security.auth_token;
  const loopbackBind = isLoopbackHost(deps.config.server.host);
  const maxBodyBytes = deps.config.server.max_body_bytes;

  app.use('*', requestRecord(deps, now));
  app.use('*', hostGuard({ loopbackBind, allowedHosts: deps.config.server.allowed_hosts }));
  app.use('*', originGuard({ allowedOrigins: deps.config.security.allowed_origins }));
  app.use('*', accessKey({ authToken, dashboard: deps.dashboard !== undefined }));

  registerHealthRoute(app, {
    authToken,
    loopbackBind,
    plugins: deps.plugins,
    providers: deps.providers,
    ...(deps.planUsage ? { planUsage: deps.planUsage } : {}),
    ...(deps.sharedState ? { sharedState: deps.sharedState } : {}),
    ...(deps.restingAccounts ? { restingAccounts: deps.restingAccounts } : {}),
  });
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);
  if (deps.dashboard) registerDashboard(app, deps.dashboard);

  for (const [id, provider] of deps.providers) {
    registerProxyRoutes(app, { id, provider, pipeline, maxBodyBytes });
    registerStoredResponseRoutes(app, { id, provider, store: deps.responsesStore });
    registerCountTokensRoutes(app, {
      id,
      provider,
      messages: deps.formats['anthropic-messages'],
      maxBodyBytes,
    });
    registerModelsRoute(app, { id, provider });
  }

  app.notFound((c) => {
    throw new ProxyError('not_found', `No route for ${c.req.method} ${c.req.path}`);
  });
  app.onError(errorBoundary(deps));
  const direct = createDirectRoutes(deps, { pipeline, now, loopbackBind, maxBodyBytes });
  return { app, direct };
}
