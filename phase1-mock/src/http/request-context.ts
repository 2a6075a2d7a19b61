/** Every response says which request it answers (`X-Request-Id`) and who answered (`X-Served-By`). */
import type { RequestHandler } from 'express';
import { requestIdFrom } from 'core';

export function requestContext(servedBy: string): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Served-By', servedBy);
    next();
  };
}
