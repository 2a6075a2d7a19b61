/**
 * Builds the phase 1 Express app from its configuration; never listens (server.ts does). Tests
 * drive the returned app with supertest.
 *
 * The middleware order is the request's path: who answers and which request it is, metrics,
 * maintenance, the rate limit, cookies, the JSON body, validation against the contract, routes,
 * then the 404 and the one error handler.
 */
import express from 'express';
import cookieParser from 'cookie-parser';
import * as OpenApiValidator from 'express-openapi-validator';
import { contractPath } from 'contract';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { JsonCatalog, readProductsFile } from './catalog/json-catalog.ts';
import { MaintenanceSwitch, exemptFromMaintenance, MAINTENANCE_RETRY_AFTER_SECONDS, TokenService } from 'core';
import { JsonUserDirectory, readUsersFile } from './auth/json-users.ts';
import { MemoryRefreshTokenStore } from './auth/memory-refresh-store.ts';
import { MemorySessionStore } from './sessions/memory-store.ts';
import { createMetrics } from './http/metrics.ts';
import { requestContext } from './http/request-context.ts';
import { ProblemError, notFoundHandler, problemHandler } from './http/problem.ts';
import { authRateLimit } from './http/rate-limit.ts';
import { healthRoutes } from './routes/health.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { statelessRoutes } from './routes/stateless.ts';
import { statefulRoutes } from './routes/stateful.ts';
import { adminRoutes } from './routes/admin.ts';

export interface Phase1App {
  app: express.Express;
  context: AppContext;
  sessions: MemorySessionStore;
  /** Stops timers and watchers; the process can then exit by itself. */
  close(): Promise<void>;
}

export function buildApp(config: Config, options: { now?: () => number } = {}): Phase1App {
  const sessions = new MemorySessionStore({ ttlSeconds: config.sessionTtlSeconds, sweepIntervalSeconds: config.sessionSweepIntervalSeconds, ...options });
  const refreshTokens = new MemoryRefreshTokenStore();
  const refreshSweeper = setInterval(() => { refreshTokens.sweep(Date.now()); }, 60_000).unref();
  const maintenance = new MaintenanceSwitch(config.maintenanceFile);
  const context: AppContext = {
    config,
    startedAt: Date.now(),
    sessions,
    catalog: new JsonCatalog(readProductsFile(config.dataDir)),
    users: new JsonUserDirectory(readUsersFile(config.dataDir)),
    tokens: new TokenService({
      secret: config.jwtSecret,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
      store: refreshTokens,
      ...options,
    }),
    maintenance,
    metrics: createMetrics({ phase: config.phase, instance: config.instanceId }, () => sessions.countLive()),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(`${config.phase}/${config.instanceId}`));
  app.use(context.metrics.middleware);
  if (config.logRequests) {
    app.use((req, res, next) => {
      res.on('finish', () => { console.log(`${new Date().toISOString()} ${req.method} ${req.originalUrl} ${res.statusCode} ${String(res.locals.requestId)}`); });
      next();
    });
  }
  // Before the maintenance gate: the export is what an operator does during maintenance.
  if (config.adminToken !== undefined) app.use(adminRoutes(config.adminToken, sessions));
  app.use((req, _res, next) => {
    if (maintenance.on && !exemptFromMaintenance(req.path)) {
      throw new ProblemError(503, 'MAINTENANCE', 'This instance is down for maintenance; try again later.', {
        headers: { 'Retry-After': String(MAINTENANCE_RETRY_AFTER_SECONDS) },
      });
    }
    next();
  });
  app.use(authRateLimit(config.authRateLimitMax, config.authRateLimitWindowSeconds));
  app.use(cookieParser());
  app.use(express.json({ limit: config.bodyLimitBytes, type: 'application/json' }));
  app.use(
    OpenApiValidator.middleware({
      apiSpec: contractPath,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: config.validateResponses,
      validateSecurity: false,
      validateFormats: true,
    }),
  );
  app.use(healthRoutes(context));
  app.use(catalogRoutes(context));
  app.use(statelessRoutes(context));
  app.use(statefulRoutes(context));
  app.use(notFoundHandler);
  app.use(problemHandler);

  return {
    app,
    context,
    sessions,
    close: async () => {
      clearInterval(refreshSweeper);
      maintenance.close();
      await sessions.close();
    },
  };
}
