/** Request metrics as a Fastify hook, plus what only phase 2 has: the audit backlog. */
import { Gauge } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { createRequestMetrics, type RequestMetrics, type SessionCount } from 'core';

export interface HttpMetrics extends RequestMetrics {
  register(app: FastifyInstance): void;
}

export function createMetrics(
  labels: { phase: string; instance: string },
  sources: { sessions: SessionCount; auditPending: () => number },
): HttpMetrics {
  const metrics = createRequestMetrics(labels, sources.sessions);
  new Gauge({
    name: 'audit_events_pending',
    help: 'Session audit events waiting to be written to PostgreSQL.',
    registers: [metrics.registry],
    collect() {
      this.set(sources.auditPending());
    },
  });
  return {
    ...metrics,
    register(app) {
      app.addHook('onResponse', (request, reply, done) => {
        const url = request.routeOptions.url;
        metrics.observe(request.method, url === undefined ? 'unmatched' : url.replace(/:(\w+)/g, '{$1}'), reply.statusCode, reply.elapsedTime / 1000);
        done();
      });
    },
  };
}
