/**
 * Prometheus metrics (prom-client) in a registry of the app's own. Routes are labelled by their
 * contract path (`/api/products/{productId}`), as in phase 1, so the two phases' dashboards match.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';

export interface HttpMetrics {
  registry: Registry;
  register(app: FastifyInstance): void;
}

export function createMetrics(
  labels: { phase: string; instance: string },
  sources: { countLiveSessions: () => Promise<number>; auditPending: () => number },
): HttpMetrics {
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
    help: 'Sessions alive in the session store (Redis-wide: every instance reports the same).',
    registers: [registry],
    async collect() {
      // A scrape must not fail because Redis is down; the gauge is simply absent then.
      try {
        this.set(await sources.countLiveSessions());
      } catch {
        this.reset();
      }
    },
  });
  new Gauge({
    name: 'audit_events_pending',
    help: 'Session audit events waiting to be written to PostgreSQL.',
    registers: [registry],
    collect() {
      this.set(sources.auditPending());
    },
  });

  return {
    registry,
    register(app) {
      app.addHook('onResponse', (request, reply, done) => {
        const url = request.routeOptions.url;
        const route = url === undefined ? 'unmatched' : url.replace(/:(\w+)/g, '{$1}');
        const labelValues = { method: request.method, route, status: String(reply.statusCode) };
        requests.inc(labelValues);
        duration.observe(labelValues, reply.elapsedTime / 1000);
        done();
      });
    },
  };
}
