/**
 * The metrics both phases expose (prom-client), in a registry of the app's own so that tests can
 * build many apps in one process. Routes are labelled by their contract path
 * (`/api/products/{productId}`), never the raw URL, which would make one series per product id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RequestMetrics {
  registry: Registry;
  /** Records one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createRequestMetrics(labels: { phase: string; instance: string }, countLiveSessions: () => Promise<number>): RequestMetrics {
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
      // A scrape must not fail because the store is down; the gauge is simply absent then.
      try {
        this.set(await countLiveSessions());
      } catch {
        this.reset();
      }
    },
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      const labelValues = { method, route, status: String(status) };
      requests.inc(labelValues);
      duration.observe(labelValues, seconds);
    },
  };
}
