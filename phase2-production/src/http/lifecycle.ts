/**
 * Graceful shutdown without a dropped request, in three steps (server.ts runs them):
 *   draining      readiness answers 503, so a balancer that probes stops sending; requests are
 *                 served as usual meanwhile (SHUTDOWN_DRAIN_DELAY_MS).
 *   handing-over  the listener is closed: a new connection is refused, which nginx retries on
 *                 another instance, POSTs included, since it sent nothing. A request on a
 *                 connection already open is still served, and its answer closes the connection.
 *   stopping      the app closes its dependencies; a request that still arrives is refused with
 *                 503 SHUTTING_DOWN and Connection: close, before any handler runs.
 */
import type { FastifyInstance } from 'fastify';
import { PROBE_PATHS, ProblemError, pathOf } from 'core';

export type LifecycleState = 'running' | 'draining' | 'handing-over' | 'stopping';

export class Lifecycle {
  state: LifecycleState = 'running';

  /** Not ready from the first step on. */
  get draining(): boolean {
    return this.state !== 'running';
  }
}

export function refuseWhileDraining(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (lifecycle.state === 'handing-over') void reply.header('Connection', 'close');
    if (lifecycle.state === 'stopping' && !PROBE_PATHS.has(pathOf(request.url))) {
      void reply.header('Connection', 'close');
      done(new ProblemError(503, 'SHUTTING_DOWN', 'This instance is shutting down; retry and another will answer.', { headers: { 'Retry-After': '1' } }));
      return;
    }
    done();
  });
}
