/** Baseline: bare node:http, the floor every framework is measured against. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INFO_PATH, announce, infoPayload } from './payload.ts';

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === INFO_PATH) {
    const { body, requestId } = infoPayload('baseline-node-http');
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId, 'x-served-by': 'baseline-node-http/bench-1' });
    res.end(body);
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  // Listening on TCP, so address() is an AddressInfo (a string only for a pipe or socket file).
  announce('baseline-node-http', (server.address() as AddressInfo).port);
});
process.on('SIGTERM', () => { server.close(); server.closeAllConnections(); });
