/** Every response says which request it answers (`X-Request-Id`) and who answered (`X-Served-By`). */
import type { FastifyInstance } from 'fastify';

export function requestContext(app: FastifyInstance, servedBy: string): void {
  // request.id was made by genReqId (core's requestIdFrom) and is on every log line of the request.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id).header('X-Served-By', servedBy);
    done();
  });
}
