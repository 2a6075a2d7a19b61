/**
 * The one error handler: whatever was thrown (a ProblemError, Fastify's validation and body
 * parsing errors, the rate limiter's) leaves as `application/problem+json` with a stable `code`
 * and the request id. A 5xx never shows its internals: the error goes to the log with the id.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethods } from 'contract';
import { DependencyUnavailableError, ProblemError, methodNotAllowed, problemBody, problemFromError, type ProblemBody, pathOf } from 'core';
import { headProblemOf } from './request-head.ts';

function validationProblem(error: FastifyError, validation: NonNullable<FastifyError['validation']>): ProblemError {
  const errors = validation.map((issue) => {
    const missing = issue.keyword === 'required' ? `/${String((issue.params as { missingProperty?: string }).missingProperty)}` : '';
    return { path: `/${error.validationContext ?? 'request'}${issue.instancePath}${missing}`, message: issue.message ?? 'is invalid' };
  });
  return new ProblemError(400, 'VALIDATION_FAILED', errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors });
}

/** Maps anything thrown to a ProblemError: Fastify's errors here, the domain's in core; anything else is a 500 with no details. */
export function toProblem(error: unknown): ProblemError {
  const fromDomain = problemFromError(error);
  if (fromDomain) return fromDomain;
  const fastifyError = error as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) return validationProblem(error as FastifyError, fastifyError.validation);
  // Fastify's own errors: https://fastify.dev/docs/latest/Reference/Errors/
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than this server accepts.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProblemError(400, 'MALFORMED_BODY', 'The body is not valid JSON.');
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return new ProblemError(400, 'MALFORMED_BODY', 'The body is not valid JSON.');
  return new ProblemError(500, 'INTERNAL_ERROR', 'The server failed to answer; the request id finds the details in its log.');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) void reply.header(name, value);
  const body: ProblemBody = problemBody(problem.status, problem.code, problem.extra.pathRefused ? undefined : pathOf(request.url), request.id, problem.detail);
  if (problem.extra.errors) body.errors = problem.extra.errors;
  return reply.code(problem.status).type('application/problem+json').send(body);
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error);
  if (problem.code === 'INTERNAL_ERROR') request.log.error({ err: error }, 'request failed');
  else if (error instanceof DependencyUnavailableError) request.log.warn({ dependency: error.dependency, err: error.cause }, 'dependency unavailable');
  return sendProblem(request, reply, problem);
}

/**
 * The router's refusals (Fastify's `frameworkErrors`), before any route or hook ran: core's rules
 * decide, so that what the public entry refuses before the path (a bad Host, TRACE, a body past
 * the limit) is refused here first too.
 */
export function frameworkProblem(error: FastifyError, raw: IncomingMessage, bodyLimitBytes: number): ProblemError {
  const first = headProblemOf(raw, bodyLimitBytes);
  if (first) return first;
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return new ProblemError(414, 'URI_TOO_LONG', 'A path segment is longer than any this API takes.', { pathRefused: true });
  return new ProblemError(400, 'MALFORMED_REQUEST', 'The path is not valid percent-encoding.', { pathRefused: true });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A path the contract has, with a method it does not take there, is a 405 that says which it takes.
  const allow = allowedMethods(pathOf(request.url));
  if (allow.length > 0) return sendProblem(request, reply, methodNotAllowed(allow));
  return sendProblem(request, reply, new ProblemError(404, 'ROUTE_NOT_FOUND', 'No operation of the API has this path.'));
}
