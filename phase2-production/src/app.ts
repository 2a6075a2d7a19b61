/**
 * Builds the phase 2 Fastify app from its configuration; never listens (server.ts does). Tests
 * drive it with app.inject. The operations are core's; the routes, their validation and their
 * response serialization come from contract/openapi.yaml (http/operations.ts); the components are
 * Redis and PostgreSQL (components.ts).
 *
 * A request's path: request id and X-Served-By, refusal while draining or in maintenance, cookies,
 * JSON body, validation against the contract, the rate limit, the operation; then metrics, and on
 * any error the one problem+json handler.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifySchemaCompiler, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import { Ajv, type AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { ProblemError, REQUEST_LIMITS, clientErrorResponse, connectResponse, jsonCharsetProblem, requestIdFrom, pathOf } from 'core';
import { operationAt } from 'contract';
import type { Config } from './config.ts';
import { createComponents, type Components } from './components.ts';
import { refuseWhileDraining } from './http/lifecycle.ts';
import { refuseDuringMaintenance } from './http/maintenance.ts';
import { requestContext } from './http/request-context.ts';
import { checkRequestHead } from './http/request-head.ts';
import { securityHeaders } from './http/security-headers.ts';
import { errorHandler, frameworkProblem, notFoundHandler, sendProblem } from './http/problem.ts';
import { registerRateLimit } from './http/rate-limit.ts';
import { registerOperations } from './http/operations.ts';
import { registerHandover } from './http/handover.ts';

export interface Phase2App extends Components {
  app: FastifyInstance;
}

/**
 * The contract's schemas, compiled twice: query, path and header values arrive as strings and are
 * coerced to the contract's types; JSON bodies are not, so `{"value": "41"}` is refused as it is in
 * phase 1. Neither strips unknown properties: the contract says which are refused.
 */
function contractValidators(): FastifySchemaCompiler<AnySchema> {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
    addFormats.default(ajv);
    ajv.addFormat('password', true);
    return ajv;
  };
  const body = make(false);
  const params = make('array');
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : params).compile(httpPart === 'headers' ? lowerCaseHeaderNames(schema) : schema);
}

/**
 * Node hands header names over in lower case; the contract spells them as they are written
 * (`X-CSRF-Token`). Fastify lower-cases a header schema itself only for its own compiler, so with
 * ours a mixed-case name would never match, and the header would go unchecked.
 */
function lowerCaseHeaderNames(schema: AnySchema): AnySchema {
  if (typeof schema !== 'object') return schema;
  const { properties, required } = schema as { properties?: Record<string, unknown>; required?: string[] };
  return {
    ...schema,
    ...(properties ? { properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name.toLowerCase(), value])) } : {}),
    ...(required ? { required: required.map((name) => name.toLowerCase()) } : {}),
  };
}

/** The contract's operation for this request takes no body (the router has matched it by now). */
function takesNoBody(request: FastifyRequest): boolean {
  return operationAt(request.method, pathOf(request.url))?.body === 'none';
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
    // Long enough for any path parameter to reach the contract's own check (400 VALIDATION_FAILED,
    // as in phase 1): the request target's own limit (core's REQUEST_LIMITS) is the one that binds.
    routerOptions: { maxParamLength: REQUEST_LIMITS.targetBytes },
    // Node's own check for Host answers an empty 400 before Fastify sees the request; core's rule
    // (http/request-head.ts) answers it in problem+json instead, as phase 1 and nginx do.
    http: { requireHostHeader: false },
    // What the router and Node's parser refuse, before any route: problem+json as well.
    // (No hook has run for these, so the response context is set here.)
    frameworkErrors: (error, request, reply) => {
      void reply.header('X-Request-Id', request.id).header('X-Served-By', `${config.phase}/${config.instanceId}`);
      void sendProblem(request, reply, frameworkProblem(error, request.raw, config.bodyLimitBytes));
    },
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.end(clientErrorResponse(error, randomUUID()));
      else socket.destroy(error);
    },
  });
  // CONNECT never reaches Fastify (Node hands it to this event, or drops the connection when
  // nothing listens): it is answered here, in problem+json, as phase 1 and nginx answer it.
  app.server.on('connect', (_request, socket: Duplex) => {
    socket.end(connectResponse(randomUUID()));
  });
  const components = createComponents(config, app.log, options);
  app.addHook('onClose', () => components.close());

  const compile = contractValidators();
  app.setValidatorCompiler(compile);
  // The contract's bodies are JSON only; Fastify would otherwise also parse text/plain into a string.
  app.removeContentTypeParser('text/plain');
  // Zero bytes are no body, whatever the Content-Type says (core's bodySent): an operation whose
  // body is optional runs without one, one whose body is required says it is missing, as phase 1
  // does. Anything else goes through Fastify's own JSON parser, poisoning checks included.
  // An operation that takes no body ignores one sent anyway (RFC 9110 gives it no meaning),
  // whatever its type: read up to the size limit and dropped, never parsed or refused.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '' || takesNoBody(request)) done(null, undefined);
    else {
      // JSON is read as UTF-8; a body announced in another charset is refused, as in phase 1.
      const charset = jsonCharsetProblem(request.headers['content-type']);
      if (charset) done(charset);
      else void json(request, text, done);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    if (takesNoBody(request)) done(null, undefined);
    else done(new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.'));
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  requestContext(app, `${config.phase}/${config.instanceId}`);
  checkRequestHead(app, config.bodyLimitBytes);
  components.metrics.register(app);
  refuseWhileDraining(app, components.lifecycle);
  refuseDuringMaintenance(app, components.maintenance);
  // The contract refuses unknown query parameters (phase 1's validator does too).
  app.addHook('onRoute', (route) => {
    const query = route.schema?.querystring as { additionalProperties?: boolean } | undefined;
    if (query) query.additionalProperties = false;
  });

  // HSTS belongs to whoever terminates TLS: nginx sends it on https answers only. An instance
  // speaks plain HTTP and would announce it on answers that never crossed TLS.
  securityHeaders(app, { hsts: false });
  await app.register(cookie);
  await registerRateLimit(app, components.limitsRedis, config.authRateLimitMax);
  if (config.adminToken !== undefined) registerHandover(app, config.adminToken, components.sessions);
  await registerOperations(app, components.context, { compile, rateLimit: { max: config.authRateLimitMax, windowSeconds: config.authRateLimitWindowSeconds } });

  return { app, ...components };
}
