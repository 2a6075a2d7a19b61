/**
 * Every response says which request it answers and who answered: `X-Request-Id` (the caller's if
 * it is a short token, so ids can be followed across services, otherwise a new UUID; anything else
 * could smuggle text into logs) and `X-Served-By`.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

export function requestContext(servedBy: string): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Served-By', servedBy);
    next();
  };
}
