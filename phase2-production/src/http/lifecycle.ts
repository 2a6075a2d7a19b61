/**
 * Graceful shutdown's first step. Once draining, readiness answers 503 (a load balancer stops
 * sending), and a request that still arrives gets 503 with `Connection: close`, so the client's
 * next attempt opens a new connection, to another instance. Requests already running finish.
 */
import type { FastifyInstance } from 'fastify';
import { PROBE_PATHS, ProblemError } from 'core';

export class Lifecycle {
  draining = false;
}

export function refuseWhileDraining(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (lifecycle.draining && !PROBE_PATHS.has(request.url.split('?')[0] ?? '')) {
      void reply.header('Connection', 'close');
      done(new ProblemError(503, 'SHUTTING_DOWN', 'This instance is shutting down; retry and another will answer.', { headers: { 'Retry-After': '1' } }));
      return;
    }
    done();
  });
}
