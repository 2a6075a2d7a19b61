/**
 * Prometheus metrics (prom-client) in a registry of the app's own, so that tests can build many
 * apps in one process. Routes are labelled by their contract path (`/api/products/{productId}`),
 * never the raw URL, which would make one time series per product id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';

export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

export function createMetrics(labels: { phase: string; instance: string }, countLiveSessions: () => Promise<number>): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'sessions_live',
    help: 'Sessions alive in the session store.',
    registers: [registry],
    async collect() {
      this.set(await countLiveSessions());
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      // Set by express-openapi-validator once it matched the request to an operation.
      const route = (req as { openapi?: { openApiRoute?: string } }).openapi?.openApiRoute ?? (req.path === '/metrics' ? '/metrics' : 'unmatched');
      const labelValues = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labelValues);
      stop(labelValues);
    });
    next();
  };
  return { registry, middleware };
}
