/**
 * Graceful shutdown's first step. Once draining, readiness answers 503 (a load balancer stops
 * sending), and a request that still arrives gets 503 with `Connection: close`, so the client's
 * next attempt opens a new connection, to another instance. Requests already running finish.
 */
import type { FastifyInstance } from 'fastify';
import { ProblemError } from 'core';

export class Lifecycle {
  draining = false;
}

const STILL_ANSWERED = new Set(['/health/live', '/health/startup', '/health/ready', '/health', '/metrics']);

export function refuseWhileDraining(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (lifecycle.draining && !STILL_ANSWERED.has(request.url.split('?')[0] ?? '')) {
      void reply.header('Connection', 'close');
      done(new ProblemError(503, 'SHUTTING_DOWN', 'This instance is shutting down; retry and another will answer.', { headers: { 'Retry-After': '1' } }));
      return;
    }
    done();
  });
}
