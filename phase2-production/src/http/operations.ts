/**
 * The Fastify adapter for core's operations. fastify-openapi-glue builds one route per operation of
 * contract/openapi.yaml, with its validation and response serialization; this file says which core
 * function answers each operationId, and turns Fastify's request into an OperationRequest and an
 * OperationResponse into Fastify's reply. Phase 1's twin does the same for Express.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler, RouteOptions } from 'fastify';
import openapiGlue from '@platformatic/fastify-openapi-glue';
import type { AnySchema, ValidateFunction } from 'ajv';
import { contractOperations, contractPath } from 'contract';
import { ProblemError, RATE_LIMITED_OPERATIONS, bodySent, operations, type OperationContext, type OperationRequest, type OperationResponse } from 'core';
import { rateLimitRoute } from './rate-limit.ts';

function operationRequest(request: FastifyRequest): OperationRequest {
  return {
    params: request.params as Record<string, string>,
    query: request.query as Record<string, unknown>,
    // Fastify hands an absent body over as undefined or, with no content type at all, as null;
    // a JSON `null` that was sent never gets here (the contract's bodies are objects).
    body: request.body ?? undefined,
    header: (name) => {
      // Node joins a repeated header into one string; only set-cookie comes as a list, and no
      // operation reads it from a request.
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    },
    cookie: (name) => request.cookies[name],
    requestId: request.id,
    // From X-Forwarded-Proto when the peer is the trusted proxy (TRUST_PROXY), else the socket.
    overTls: request.protocol === 'https',
    // The peer nginx saw (X-Forwarded-For from the one hop TRUST_PROXY names), as the rate limit uses.
    clientAddress: request.ip,
  };
}

function send(reply: FastifyReply, response: OperationResponse): FastifyReply {
  for (const [name, value] of Object.entries(response.headers ?? {})) void reply.header(name, value);
  const { cookie } = response;
  if (cookie) {
    if (cookie.value === null) void reply.clearCookie(cookie.name, cookie.options);
    else void reply.setCookie(cookie.name, cookie.value, cookie.options);
  }
  void reply.code(response.status);
  if (response.text) return reply.type(response.text.contentType).send(response.text.content);
  return reply.send(response.body);
}

/** Where the contract makes the body optional, no body at all is valid; a body must still match. */
function allowingNoBody(compile: FastifySchemaCompiler<AnySchema>): FastifySchemaCompiler<AnySchema> {
  return (route) => {
    const validate = compile(route) as ValidateFunction;
    if (route.httpPart !== 'body') return validate;
    const wrapped = (data: unknown): boolean => {
      if (data === undefined || data === null) return true;
      const valid = validate(data);
      wrapped.errors = validate.errors;
      return valid;
    };
    wrapped.errors = null as ValidateFunction['errors'];
    return wrapped;
  };
}

export async function registerOperations(
  app: FastifyInstance,
  context: OperationContext,
  options: { compile: FastifySchemaCompiler<AnySchema>; rateLimit: { max: number; windowSeconds: number } },
): Promise<void> {
  const optionalBody = new Set(contractOperations().filter((operation) => operation.body === 'optional').map((operation) => operation.operationId));
  const limited = rateLimitRoute(options.rateLimit.max, options.rateLimit.windowSeconds);
  await app.register(openapiGlue, {
    // The plugin warns about every media type without a request parser, response types included
    // (problem+json, Prometheus text); only JSON requests are accepted, on purpose.
    logLevel: 'error',
    specification: contractPath,
    // The plugin merges these options into the route it built from the contract (method, url and
    // schemas included); its type asks for a whole RouteOptions, hence the cast.
    operationResolver: (operationId: string) => {
      const operation = operations[operationId];
      if (!operation) throw new Error(`the contract's operation ${operationId} has no implementation in core`);
      return {
        handler: async (request: FastifyRequest, reply: FastifyReply) => send(reply, await operation(operationRequest(request), context)),
        ...(RATE_LIMITED_OPERATIONS.has(operationId) ? limited : {}),
        ...(optionalBody.has(operationId)
          ? {
              validatorCompiler: allowingNoBody(options.compile),
              // Fastify validates an absent body as null, so the absent optional body and a JSON
              // `null` look alike to the validator; what was sent tells them apart (core's bodySent).
              preValidation: (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
                if (request.body === null && bodySent(request.headers)) done(new ProblemError(400, 'VALIDATION_FAILED', '/body must be object', { errors: [{ path: '/body', message: 'must be object' }] }));
                else done();
              },
            }
          : {}),
      } as unknown as RouteOptions;
    },
  });
}
