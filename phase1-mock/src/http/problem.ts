/**
 * The one error handler, mounted last: whatever was thrown (a ProblemError, a validator's or the
 * body parser's error) leaves as `application/problem+json` with a stable `code` and the request
 * id. A 5xx never shows its internals: the detail stays in the log.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { error as validatorErrors } from 'express-openapi-validator';
import { allowedMethods } from 'contract';
import { ProblemError, bodySent, methodNotAllowed, problemBody, problemFromError, type ProblemBody } from 'core';

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string' && 'status' in error;
}

/** Maps anything thrown to a ProblemError: Express's and the validator's errors here, the domain's in core; anything else is a 500 with no details. */
export function toProblem(error: unknown, request: { path: string; bodySent: boolean } = { path: '/', bodySent: true }): ProblemError {
  const fromDomain = problemFromError(error);
  if (fromDomain) return fromDomain;
  if (error instanceof validatorErrors.BadRequest) {
    const errors = error.errors.map((e) => ({ path: e.path, message: e.message }));
    const detail = errors.map((e) => `${e.path.replace(/^\./, '')} ${e.message}`).join('; ');
    return new ProblemError(400, 'VALIDATION_FAILED', detail, { errors });
  }
  if (error instanceof validatorErrors.NotFound) return new ProblemError(404, 'ROUTE_NOT_FOUND', 'No operation of the API has this path.');
  if (error instanceof validatorErrors.MethodNotAllowed) return methodNotAllowed(allowedMethods(request.path));
  // No body at all, where one is required: the body is missing, not of the wrong type (as phase 2 says).
  if (error instanceof validatorErrors.UnsupportedMediaType && !request.bodySent) {
    return new ProblemError(400, 'VALIDATION_FAILED', 'body is required', { errors: [{ path: '/body', message: 'is required' }] });
  }
  if (error instanceof validatorErrors.UnsupportedMediaType) return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  if (error instanceof validatorErrors.RequestEntityTooLarge) return new ProblemError(413, 'PAYLOAD_TOO_LARGE', error.message);
  if (isBodyParserError(error)) {
    // body-parser's errors (https://github.com/expressjs/body-parser#errors).
    switch (error.type) {
      case 'entity.parse.failed':
        return new ProblemError(400, 'MALFORMED_BODY', 'The body is not valid JSON.');
      case 'entity.too.large':
        return new ProblemError(413, 'PAYLOAD_TOO_LARGE', 'The body is larger than this server accepts.');
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 application/json.');
      case 'request.aborted':
      case 'request.size.invalid':
        return new ProblemError(400, 'MALFORMED_BODY', 'The body ended early or did not match Content-Length.');
    }
  }
  return new ProblemError(500, 'INTERNAL_ERROR', 'The server failed to answer; the request id finds the details in its log.');
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: ProblemError, instance: string): void {
  const requestId = String(res.locals.requestId);
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) res.setHeader(name, value);
  const body: ProblemBody = problemBody(problem.status, problem.code, problem.extra.pathRefused ? undefined : instance, requestId, problem.detail);
  if (problem.extra.errors) body.errors = problem.extra.errors;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}

export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const problem = toProblem(error, { path: req.path, bodySent: bodySent(req.headers) });
  if (problem.code === 'INTERNAL_ERROR') console.error(`[${String(res.locals.requestId)}] ${req.method} ${req.originalUrl}`, error);
  sendProblem(res, problem, req.path);
};

/** After every route: a path no operation matches. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, new ProblemError(404, 'ROUTE_NOT_FOUND', 'No operation of the API has this path.'), req.path);
};
