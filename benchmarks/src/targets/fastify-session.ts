/**
 * Peer: Fastify 5 with @fastify/session and connect-redis on node-redis, the common Fastify
 * session stack, on the same Redis as phase 2. Like express-session it reads the session whole
 * when a request starts and saves it whole when it ends, so concurrent changes overwrite each other.
 */
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { announce } from './payload.ts';
import { NO_SESSION, PATHS, PEER_SECRET, PEER_TTL_SECONDS, startedBody } from './peer-routes.ts';

declare module 'fastify' {
  interface Session {
    counter?: number;
  }
}

const client = createClient({ url: process.env.REDIS_URL });
client.on('error', (error: Error) => { console.error(`redis: ${error.message}`); });
await client.connect();

const app = Fastify({ logger: false });
await app.register(cookie);
await app.register(session, {
  // connect-redis is written to express-session's Store interface, which @fastify/session accepts.
  store: new RedisStore({ client, prefix: 'peer-fastify:', ttl: PEER_TTL_SECONDS }) as unknown as session.SessionStore,
  secret: PEER_SECRET,
  cookieName: 'sid',
  saveUninitialized: false,
  rolling: true,
  cookie: { httpOnly: true, sameSite: 'lax', secure: false, maxAge: PEER_TTL_SECONDS * 1000 },
});
app.post(PATHS.sessions, async (request, reply) => {
  request.session.counter = 0;
  return reply.code(201).send(startedBody());
});
app.get(PATHS.counter, async (request, reply) => {
  const { counter } = request.session;
  return counter === undefined ? reply.code(NO_SESSION.status).send({ code: NO_SESSION.code }) : { value: counter };
});
app.post(PATHS.increment, async (request, reply) => {
  const { counter } = request.session;
  if (counter === undefined) return reply.code(NO_SESSION.status).send({ code: NO_SESSION.code });
  request.session.counter = counter + 1;
  return { value: counter + 1 };
});
app.delete(PATHS.current, async (request, reply) => {
  await request.session.destroy();
  return reply.code(204).send();
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
announce('peer-fastify-session', Number(new URL(address).port));
process.on('SIGTERM', () => {
  void app.close().then(() => client.quit());
});
