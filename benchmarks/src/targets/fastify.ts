/** Baseline: bare Fastify 5, one route, no plugins: what the framework itself costs. */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { INFO_PATH, announce, infoPayload } from './payload.ts';

const app = Fastify({ logger: false });
app.get(INFO_PATH, (_request, reply) => {
  const { body, requestId } = infoPayload('baseline-fastify');
  return reply.header('x-request-id', requestId).header('x-served-by', 'baseline-fastify/bench-1').type('application/json; charset=utf-8').send(body);
});
await app.listen({ port: 0, host: '127.0.0.1' });
// Listening on TCP, so address() is an AddressInfo (a string only for a pipe or socket file).
announce('baseline-fastify', (app.server.address() as AddressInfo).port);
process.on('SIGTERM', () => { void app.close(); });
