/** Baseline: bare Express 5, one route, nothing else: what the framework itself costs. */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { INFO_PATH, announce, infoPayload } from './payload.ts';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get(INFO_PATH, (_req, res) => {
  const { body, requestId } = infoPayload('baseline-express');
  res.set({ 'x-request-id': requestId, 'x-served-by': 'baseline-express/bench-1' }).type('application/json').send(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  // Listening on TCP, so address() is an AddressInfo (a string only for a pipe or socket file).
  announce('baseline-express', (server.address() as AddressInfo).port);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); });
