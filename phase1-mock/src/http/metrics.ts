/** Request metrics as Express middleware, recorded when each response finishes. */
import type { RequestHandler } from 'express';
import { createRequestMetrics, type RequestMetrics, type SessionCount } from 'core';

export interface HttpMetrics extends RequestMetrics {
  middleware: RequestHandler;
}

export function createMetrics(labels: { phase: string; instance: string }, sessions: SessionCount): HttpMetrics {
  const metrics = createRequestMetrics(labels, sessions);
  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Set by express-openapi-validator once it matched the request to an operation.
      const route = (req as { openapi?: { openApiRoute?: string } }).openapi?.openApiRoute ?? (req.path === '/metrics' ? '/metrics' : 'unmatched');
      metrics.observe(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { ...metrics, middleware };
}
