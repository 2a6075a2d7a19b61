/**
 * The Express adapter for core's operations: one route per operation of contract/openapi.yaml
 * (express-openapi-validator, mounted before, has validated it against the contract), answered by
 * the core function of the same operationId. Turns Express's request into an OperationRequest and
 * an OperationResponse into Express's response. Phase 2's twin does the same for Fastify.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { contractOperations } from 'contract';
import { operations, type OperationContext, type OperationRequest, type OperationResponse } from 'core';

function operationRequest(req: Request, res: Response): OperationRequest {
  return {
    params: req.params as Record<string, string>,
    query: req.query,
    body: req.body,
    header: (name) => req.get(name),
    cookie: (name) => (req.cookies as Record<string, string | undefined>)[name],
    requestId: String(res.locals.requestId),
    // Phase 1 trusts no proxy: this is its own socket, which is plain HTTP (docs/mapping.md).
    overTls: req.secure,
    // Its socket's peer, for the same reason.
    clientAddress: req.ip ?? req.socket.remoteAddress ?? '',
  };
}

function send(res: Response, response: OperationResponse): void {
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  const { cookie } = response;
  if (cookie) {
    if (cookie.value === null) res.clearCookie(cookie.name, cookie.options);
    else res.cookie(cookie.name, cookie.value, cookie.options);
  }
  res.status(response.status);
  if (response.text) res.type(response.text.contentType).send(response.text.content);
  else if (response.body === undefined) res.end();
  else res.json(response.body);
}

/** OpenAPI writes path parameters as {productId}, Express as :productId. */
export function expressPath(template: string): string {
  return template.replace(/\{(\w+)\}/g, ':$1');
}

export function operationRoutes(context: OperationContext): Router {
  // Paths are exact, as in phase 2: `/API/PRODUCTS` and `/api/products/` are not `/api/products`.
  const router = Router({ caseSensitive: true, strict: true });
  for (const { operationId, method, path } of contractOperations()) {
    const operation = operations[operationId];
    if (!operation) throw new Error(`the contract's operation ${operationId} has no implementation in core`);
    const handler: RequestHandler = async (req, res) => { send(res, await operation(operationRequest(req, res), context)); };
    router[method](expressPath(path), handler);
  }
  return router;
}
