/**
 * Builds the phase 2 Fastify app from its configuration; never listens (server.ts does). Tests
 * drive it with app.inject. The routes, their validation and their response serialization come
 * from contract/openapi.yaml through fastify-openapi-glue; this file only says which function
 * implements each operationId and which guards run before it.
 *
 * A request's path: request id and X-Served-By, refusal while draining or in maintenance, cookies,
 * JSON body, validation against the contract, the route's guards (rate limit, session, CSRF), the
 * handler; then metrics, and on any error the one problem+json handler.
 */
import Fastify, { LogController, type FastifyInstance, type FastifySchemaCompiler, type FastifyServerOptions, type RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import openapiGlue from '@platformatic/fastify-openapi-glue';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Redis } from 'ioredis';
import { contractPath, loadContract } from 'contract';
import { MAINTENANCE_RETRY_AFTER_SECONDS, MaintenanceSwitch, ProblemError, TokenService, exemptFromMaintenance, requestIdFrom } from 'core';
import type { Config } from './config.ts';
import type { AppContext, OperationRoutes } from './context.ts';
import { RATE_LIMIT_DB, SESSION_DB, createRedis } from './redis.ts';
import { createPool, type Pool } from './db/pool.ts';
import { RedisSessionStore } from './sessions/redis-store.ts';
import { PgCatalog } from './catalog/pg-catalog.ts';
import { PgUserDirectory } from './auth/pg-users.ts';
import { PgRefreshTokenStore } from './auth/pg-refresh-store.ts';
import { AuditLog } from './audit/audit-log.ts';
import { Lifecycle, refuseWhileDraining } from './http/lifecycle.ts';
import { createMetrics } from './http/metrics.ts';
import { requestContext } from './http/request-context.ts';
import { errorHandler, notFoundHandler } from './http/problem.ts';
import { registerRateLimit } from './http/rate-limit.ts';
import { healthRoutes } from './routes/health.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { statelessRoutes } from './routes/stateless.ts';
import { statefulRoutes } from './routes/stateful.ts';

export interface Phase2App {
  app: FastifyInstance;
  context: AppContext;
  redis: Redis;
  pool: Pool;
  sessions: RedisSessionStore;
}

/**
 * Two validators from the contract's schemas: query, path and header values arrive as strings
 * and are coerced to the contract's types; JSON bodies are not, so `{"value": "41"}` is refused as
 * it is in phase 1. Neither strips unknown properties: the contract says which are refused.
 */
/** Operations whose request body the contract marks optional (`requestBody.required` is not true). */
function optionalBodyOperations(): Set<string> {
  const optional = new Set<string>();
  for (const item of Object.values(loadContract().paths)) {
    for (const operation of Object.values(item) as { operationId?: string; requestBody?: { required?: boolean } }[]) {
      if (operation.operationId && operation.requestBody && operation.requestBody.required !== true) optional.add(operation.operationId);
    }
  }
  return optional;
}

function contractValidators(): { body: Ajv; params: Ajv } {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
    addFormats.default(ajv);
    ajv.addFormat('password', true);
    return ajv;
  };
  return { body: make(false), params: make('array') };
}

export async function buildApp(config: Config, options: { now?: () => number; logger?: FastifyServerOptions['logger'] } = {}): Promise<Phase2App> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    // Log lines carry the id under the same name problem bodies use.
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Draining is answered by our own hook, in problem+json (http/lifecycle.ts).
    return503OnClosing: false,
  });

  const redis = createRedis(config, SESSION_DB, (error) => { app.log.warn({ err: error }, 'redis (sessions) connection error'); });
  const limitsRedis = createRedis(config, RATE_LIMIT_DB, (error) => { app.log.warn({ err: error }, 'redis (rate limits) connection error'); });
  const pool = createPool(
    { connectionString: config.databaseUrl, max: config.pgPoolMax, timeoutMs: config.dependencyTimeoutMs, applicationName: `${config.phase}/${config.instanceId}` },
    (error) => { app.log.warn({ err: error }, 'postgres idle client error'); },
  );
  const sessions = new RedisSessionStore(redis, {
    ttlSeconds: config.sessionTtlSeconds,
    waitReplicas: config.redisWaitReplicas,
    // Inside the command timeout, so WAIT's own answer (how many replicas) arrives, not a timeout.
    waitTimeoutMs: Math.max(10, Math.floor(config.dependencyTimeoutMs / 2)),
    ...options,
  });
  const audit = new AuditLog(pool, {
    instance: config.instanceId,
    flushIntervalMs: config.auditFlushIntervalMs,
    onError: (error) => { app.log.warn({ err: error }, 'audit log flush failed; events kept for the next attempt'); },
  });
  const maintenance = new MaintenanceSwitch(config.maintenanceFile);
  const context: AppContext = {
    config,
    startedAt: Date.now(),
    sessions,
    catalog: new PgCatalog(pool),
    users: new PgUserDirectory(pool),
    tokens: new TokenService({
      secret: config.jwtSecret,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
      store: new PgRefreshTokenStore(pool),
      ...options,
    }),
    maintenance,
    metrics: createMetrics({ phase: config.phase, instance: config.instanceId }, { countLiveSessions: () => sessions.countLive(), auditPending: () => audit.pending }),
    audit,
    lifecycle: new Lifecycle(),
  };

  // Closing order: what writes (the audit log) before what it writes to (the pool), clients last.
  app.addHook('onClose', async () => {
    maintenance.close();
    await audit.close(Date.now() + config.shutdownTimeoutMs / 2);
    await pool.end();
    await Promise.allSettled([redis.quit(), limitsRedis.quit()]);
  });

  const validators = contractValidators();
  const compile: FastifySchemaCompiler<AnySchema> = ({ schema, httpPart }) => (httpPart === 'body' ? validators.body : validators.params).compile(schema);
  app.setValidatorCompiler(compile);
  // Where the contract makes the body optional, no body at all is valid; a body must still match.
  const optionalBody = optionalBodyOperations();
  const compileOptionalBody: FastifySchemaCompiler<AnySchema> = (route) => {
    const validate = compile(route) as ValidateFunction;
    if (route.httpPart !== 'body') return validate;
    const wrapped = (data: unknown): boolean => {
      // Fastify hands an absent body over as undefined or, with no content type at all, as null.
      if (data === undefined || data === null) return true;
      const valid = validate(data);
      wrapped.errors = validate.errors;
      return valid;
    };
    wrapped.errors = null as ValidateFunction['errors'];
    return wrapped;
  };
  // The contract's bodies are JSON only; Fastify would otherwise also parse text/plain into a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.decorateRequest('labSession', null);

  requestContext(app, `${config.phase}/${config.instanceId}`);
  context.metrics.register(app);
  refuseWhileDraining(app, context.lifecycle);
  app.addHook('onRequest', (request, _reply, done) => {
    if (maintenance.on && !exemptFromMaintenance(request.url.split('?')[0] ?? '')) {
      done(new ProblemError(503, 'MAINTENANCE', 'This instance is down for maintenance; try again later.', { headers: { 'Retry-After': String(MAINTENANCE_RETRY_AFTER_SECONDS) } }));
      return;
    }
    done();
  });
  // The contract refuses unknown query parameters (phase 1's validator does too).
  app.addHook('onRoute', (route) => {
    const query = route.schema?.querystring as { additionalProperties?: boolean } | undefined;
    if (query) query.additionalProperties = false;
  });

  await app.register(helmet, { global: true });
  await app.register(cookie);
  await registerRateLimit(app, limitsRedis, config.authRateLimitMax);

  const routes: OperationRoutes = { ...healthRoutes(context), ...catalogRoutes(context), ...statelessRoutes(context), ...statefulRoutes(context) };
  await app.register(openapiGlue, {
    // The plugin warns about every media type without a request parser, response types included
    // (problem+json, Prometheus text); only JSON requests are accepted, on purpose.
    logLevel: 'error',
    specification: contractPath,
    // The plugin merges these options into the route it built from the contract (method, url and
    // schemas included); its type asks for a whole RouteOptions, hence the cast.
    operationResolver: (operationId: string) => {
      const route = routes[operationId];
      if (!route) throw new Error(`the contract's operation ${operationId} has no implementation`);
      return {
        handler: route.handler,
        ...(route.preHandler ? { preHandler: route.preHandler } : {}),
        ...(route.config ? { config: route.config } : {}),
        ...(optionalBody.has(operationId) ? { validatorCompiler: compileOptionalBody } : {}),
      } as unknown as RouteOptions;
    },
  });

  return { app, context, redis, pool, sessions };
}
