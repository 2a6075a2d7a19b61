/**
 * The phase 1 process: configuration, listen, and stop on SIGINT/SIGTERM. Everything it knows
 * lives in this process's memory, so stopping it ends every session; there is nothing to drain to.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { clientErrorResponse, connectResponse, messageOf } from 'core';
import { loadConfig, type Config } from './config.ts';
import { buildApp } from './app.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`phase1-mock: invalid configuration: ${messageOf(error)}`);
  process.exit(1);
}
if (!config.jwtSecretFromEnv) console.warn('phase1-mock: JWT_SECRET is not set; using a random key, so access tokens die with this process.');

const phase1 = buildApp(config);
// Node's own check for Host answers an empty 400 before Express sees the request; core's rule
// (requestHeadProblem) answers it in problem+json instead, as phase 2 and nginx do.
const server = createServer({ requireHostHeader: false }, phase1.app);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // The harness waits for this line and reads the port from it.
  console.log(`phase1-mock listening on http://${config.host}:${port} (instance ${config.instanceId})`);
});
server.on('error', (error) => {
  console.error(`phase1-mock: cannot listen on ${config.host}:${config.port}: ${error.message}`);
  process.exit(1);
});
// Keep-alive longer than a typical proxy's idle timeout, so the proxy closes first (no reset race).
server.keepAliveTimeout = 65_000;
// What Node's parser refuses before Express sees it (a malformed request, oversized headers):
// problem+json like every other error, rather than Node's empty 400 or 431.
server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.end(clientErrorResponse(error, randomUUID()));
  else socket.destroy(error);
});

// CONNECT never reaches Express (Node hands it to this event, or drops the connection when nothing
// listens): it is answered here, in problem+json, as phase 2 and nginx answer it.
server.on('connect', (_request, socket) => {
  socket.end(connectResponse(randomUUID()));
});

function stop(signal: string): void {
  console.log(`phase1-mock: ${signal}, stopping; ${phase1.sessions.exportLive().length} sessions die with this process`);
  server.close(() => {
    void phase1.close().then(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGINT', () => { stop('SIGINT'); });
process.once('SIGTERM', () => { stop('SIGTERM'); });
