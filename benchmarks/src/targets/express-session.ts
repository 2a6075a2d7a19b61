/**
 * Peer: Express 5 with express-session and connect-redis on node-redis, the common Express session
 * stack, on the same Redis as phase 2. The session is read whole at the start of a request and
 * written whole at its end (resave off, as recommended), so two concurrent increments of one
 * session both read n and both write n + 1: one is lost.
 */
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import type { AddressInfo } from 'node:net';
import { announce } from './payload.ts';
import { NO_SESSION, PATHS, PEER_SECRET, PEER_TTL_SECONDS, startedBody } from './peer-routes.ts';

declare module 'express-session' {
  interface SessionData {
    counter: number;
  }
}

const client = createClient({ url: process.env.REDIS_URL });
client.on('error', (error: Error) => { console.error(`redis: ${error.message}`); });
await client.connect();

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(session({
  store: new RedisStore({ client, prefix: 'peer-express:', ttl: PEER_TTL_SECONDS }),
  secret: PEER_SECRET,
  name: 'sid',
  resave: false,
  saveUninitialized: false,
  rolling: true,
  cookie: { httpOnly: true, sameSite: 'lax', maxAge: PEER_TTL_SECONDS * 1000 },
}));
app.post(PATHS.sessions, (req, res) => {
  req.session.counter = 0;
  res.status(201).json(startedBody());
});
app.get(PATHS.counter, (req, res) => {
  if (req.session.counter === undefined) res.status(NO_SESSION.status).json({ code: NO_SESSION.code });
  else res.json({ value: req.session.counter });
});
app.post(PATHS.increment, (req, res) => {
  if (req.session.counter === undefined) {
    res.status(NO_SESSION.status).json({ code: NO_SESSION.code });
    return;
  }
  req.session.counter += 1;
  res.json({ value: req.session.counter });
});
app.delete(PATHS.current, (req, res) => {
  req.session.destroy(() => { res.status(204).end(); });
});
const server = app.listen(0, '127.0.0.1', () => { announce('peer-express-session', (server.address() as AddressInfo).port); });
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void client.quit();
});
