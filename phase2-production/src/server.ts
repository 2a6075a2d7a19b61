/**
 * The phase 2 process: configuration, start-up checks, listen, and a graceful shutdown on
 * SIGTERM/SIGINT that drops no request (http/lifecycle.ts): report not-ready, stop accepting
 * connections, serve what arrives on the open ones until they close, then flush the audit log,
 * close the pool and Redis, exit. A second signal, or the shutdown timeout, exits at once.
 */
import { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from './config.ts';
import { buildApp } from './app.ts';
import { pendingMigrations } from './db/migrate.ts';
import { messageOf } from 'core';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  console.error(`phase2-production: invalid configuration: ${messageOf(error)}`);
  process.exit(1);
}

const { app, lifecycle, pool } = await buildApp(config);

// Start-up work: the database must be reachable and its schema current (migrations are a
// deployment step, `npm run migrate`, not something every instance races to do).
const deadline = Date.now() + 30_000;
for (;;) {
  try {
    const pending = await pendingMigrations(pool);
    if (pending.length > 0) {
      app.log.fatal({ pending }, 'the database schema is behind: run `npm run migrate -w phase2-production`');
      await app.close();
      process.exit(1);
    }
    break;
  } catch (error) {
    if (Date.now() > deadline) {
      app.log.fatal({ err: error }, 'PostgreSQL unreachable at start-up');
      await app.close();
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    app.log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  app.log.info({ signal, drainDelayMs: config.shutdownDrainDelayMs }, 'draining');
  lifecycle.state = 'draining';
  const force = setTimeout(() => {
    app.log.error('shutdown timed out: exiting with requests still open');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  try {
    await sleep(config.shutdownDrainDelayMs);
    await handOver();
    lifecycle.state = 'stopping';
    await app.close();
    app.log.info('stopped cleanly');
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'error while closing');
    process.exit(1);
  }
}
/**
 * Longer than nginx keeps an idle upstream connection (keepalive_timeout in
 * deployment/nginx.conf.template), so nginx closes its own idle connections first: closing one
 * from this side could cross a request nginx is sending on it.
 */
const HAND_OVER_MAX_MS = 2500;

/** Stops accepting, then waits (bounded) until every open connection has closed. */
async function handOver(): Promise<void> {
  lifecycle.state = 'handing-over';
  // net's close, not http's: http.Server.close() would also cut idle keep-alive connections at
  // once, and one of them may be carrying a request from nginx at that very moment.
  NetServer.prototype.close.call(app.server);
  const deadline = Date.now() + HAND_OVER_MAX_MS;
  while (Date.now() < deadline) {
    const open = await new Promise<number>((resolve) => { app.server.getConnections((error, count) => { resolve(error ? 0 : count); }); });
    if (open === 0) return;
    await sleep(50);
  }
  app.log.info('connections still open after the hand-over: closing the idle ones');
}

// Before listening: once the line below is printed a supervisor may signal at once, and a signal
// with no handler yet would kill the process on the spot, with nothing drained.
process.on('SIGTERM', (signal) => { void shutdown(signal); });
process.on('SIGINT', (signal) => { void shutdown(signal); });

try {
  const address = await app.listen({ port: config.port, host: config.host });
  // The harness waits for this line and reads the address from it.
  console.log(`phase2-production listening on ${address} (instance ${config.instanceId})`);
} catch (error) {
  app.log.fatal({ err: error }, 'cannot listen');
  process.exit(1);
}

