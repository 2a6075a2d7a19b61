/**
 * The metrics both phases expose (prom-client), in a registry of the app's own so that tests can
 * build many apps in one process. Routes are labelled by their contract path
 * (`/api/products/{productId}`), never the raw URL, which would make one series per product id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How long a scrape waits for the session count before leaving it out. */
export const COUNT_TIMEOUT_MS = 250;

export interface RequestMetrics {
  registry: Registry;
  /** Records one answered request. */
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** Where sessions live, and how many there are. */
export interface SessionCount {
  /** The store's kind (`memory`, `redis`): a label, so the gauge can be absent when it is unknown. */
  store: string;
  countLive(): Promise<number>;
}

export function createRequestMetrics(labels: { phase: string; instance: string }, sessions: SessionCount): RequestMetrics {
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
    // A gauge without labels always reports a value (0 after a reset): with one, it can be left out.
    labelNames: ['store'] as const,
    registers: [registry],
    async collect() {
      // A scrape must not fail, or wait, because the store is down or frozen: the gauge is simply
      // absent then. Waiting would make Prometheus time the scrape out (900 ms in the lab) and
      // report the instance itself down while it still answers every request it can.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error('the session store did not answer in time')); }, COUNT_TIMEOUT_MS); });
      try {
        this.set({ store: sessions.store }, await Promise.race([sessions.countLive(), timeout]));
      } catch {
        this.reset();
      } finally {
        clearTimeout(timer);
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
