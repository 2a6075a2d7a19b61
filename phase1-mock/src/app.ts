/**
 * Builds the phase 1 Express app from its configuration; never listens (server.ts does). Tests
 * drive the returned app with supertest. The operations are core's (http/operations.ts binds them
 * to the contract's routes); the components are a Map and JSON files (components.ts).
 *
 * The middleware order is the request's path: who answers and which request it is, metrics,
 * maintenance, the rate limit, cookies, the JSON body, validation against the contract, the
 * operation, then the 404 and the one error handler.
 */
import express from 'express';
import cookieParser from 'cookie-parser';
import * as OpenApiValidator from 'express-openapi-validator';
import { HTTP_METHODS, loadContract } from 'contract';
import secureJson from 'secure-json-parse';
import { ProblemError, bodySent, jsonCharsetProblem } from 'core';
import { operationAt } from 'contract';
import type { Config } from './config.ts';
import { createComponents, type Components } from './components.ts';
import { refuseDuringMaintenance } from './http/maintenance.ts';
import { requestContext } from './http/request-context.ts';
import { checkRequestHead } from './http/request-head.ts';
import { notFoundHandler, problemHandler } from './http/problem.ts';
import { operationRoutes } from './http/operations.ts';
import { rateLimits } from './http/rate-limit.ts';
import { sessionExportRoutes } from './migration.ts';
import { handoverRoutes } from './http/handover.ts';

export interface Phase1App extends Components {
  app: express.Express;
}

/**
 * The contract as the validator reads it, with one addition: an operation that takes no query
 * parameters lets unknown ones through (a cache-busting `?x=1` on a probe must not fail it), as
 * phase 2 does; one that takes some still refuses the others with 400, as documented.
 */
function contractForValidator(): Parameters<typeof OpenApiValidator.middleware>[0]['apiSpec'] {
  const doc = loadContract() as unknown as {
    paths: Record<string, Record<string, { parameters?: { $ref?: string; in?: string }[] } & Record<string, unknown>>>;
    components: { parameters?: Record<string, { in?: string }> };
  };
  for (const item of Object.values(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
      const takesQuery = (operation.parameters ?? []).some((parameter) => (parameter.$ref ? doc.components.parameters?.[parameter.$ref.split('/').pop() ?? '']?.in : parameter.in) === 'query');
      if (!takesQuery) operation['x-eov-allow-unknown-query-parameters'] = true;
    }
  }
  return doc as unknown as Parameters<typeof OpenApiValidator.middleware>[0]['apiSpec'];
}

export function buildApp(config: Config, options: { now?: () => number } = {}): Phase1App {
  const components = createComponents(config, options);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(`${config.phase}/${config.instanceId}`));
  app.use(checkRequestHead(config.bodyLimitBytes));
  app.use(components.metrics.middleware);
  if (config.logRequests) {
    app.use((req, res, next) => {
      res.on('finish', () => { console.log(`${new Date().toISOString()} ${req.method} ${req.originalUrl} ${res.statusCode} ${String(res.locals.requestId)}`); });
      next();
    });
  }
  // Before the maintenance gate: the export is what an operator does during maintenance, and a
  // session the other phase takes over must be handed to it whatever state this one is in.
  if (config.adminToken !== undefined) {
    app.use(sessionExportRoutes(config.adminToken, components.sessions));
    app.use(handoverRoutes(config.adminToken, components.sessions));
  }
  app.use(refuseDuringMaintenance(components.maintenance));
  app.use(rateLimits(config.authRateLimitMax, config.authRateLimitWindowSeconds));
  app.use(cookieParser());
  // Zero bytes are no body, whatever the Content-Type says (core's bodySent), as in phase 2. An
  // operation that takes no body ignores one sent anyway (RFC 9110 gives it no meaning): it is
  // read up to the same size limit (so a chunked one past it is refused with 413, as phase 2 and
  // nginx refuse it; a declared one was refused with the head), dropped, never parsed.
  const takesNoBody = (req: express.Request) => operationAt(req.method, req.path)?.body === 'none';
  app.use(express.raw({ limit: config.bodyLimitBytes, type: (req) => bodySent(req.headers) && takesNoBody(req as express.Request) }));
  app.use((req, _res, next) => {
    if (!bodySent(req.headers) || takesNoBody(req)) {
      delete req.headers['content-type'];
      req.body = undefined;
    }
    next();
  });
  // JSON is read as UTF-8 whatever the charset says is refused (core's jsonCharsetProblem), then
  // parsed by secure-json-parse, the parser Fastify uses in phase 2: a `__proto__` key, or a
  // `constructor` with a `prototype`, is refused as malformed there and here alike. Not strict:
  // JSON that is not an object (`null`, `123`) reaches the contract's check (400 VALIDATION_FAILED).
  app.use((req, _res, next) => {
    next(req.headers['content-type'] !== undefined && /^application\/json\b/i.test(req.headers['content-type']) ? (jsonCharsetProblem(req.headers['content-type']) ?? undefined) : undefined);
  });
  app.use(express.text({ limit: config.bodyLimitBytes, type: 'application/json', defaultCharset: 'utf-8' }));
  app.use((req, _res, next) => {
    if (typeof req.body !== 'string') {
      next();
      return;
    }
    try {
      req.body = secureJson.parse(req.body, undefined, { protoAction: 'error', constructorAction: 'error' }) as unknown;
      next();
    } catch {
      next(new ProblemError(400, 'MALFORMED_BODY', 'The body is not valid JSON.'));
    }
  });
  app.use(
    OpenApiValidator.middleware({
      apiSpec: contractForValidator(),
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: config.validateResponses,
      validateSecurity: false,
      validateFormats: true,
    }),
  );
  app.use(operationRoutes(components.context));
  app.use(notFoundHandler);
  app.use(problemHandler);

  return { app, ...components };
}
