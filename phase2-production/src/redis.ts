/**
 * Redis clients (ioredis). One connection for sessions and one, on another logical database, for
 * rate-limit counters, so the session database holds sessions only and DBSIZE counts them.
 *
 * Failure behaviour is chosen so that a request never waits long for a dead Redis:
 * - enableOfflineQueue: false: while disconnected, commands fail at once instead of queueing;
 * - commandTimeout: a command on a hung server (SIGSTOP, network partition) fails after the
 *   dependency timeout;
 * - retryStrategy: reconnect forever, backing off to at most one attempt every half second, so
 *   an instance follows a failover soon after the Sentinels have promoted a replica;
 * - reconnectOnError: READONLY means we are talking to a primary that was demoted in a failover:
 *   reconnect (Sentinel names the new primary) and resend the command, which did not run.
 * https://github.com/redis/ioredis#auto-reconnect
 */
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { guardDependency } from 'core';
import type { Config } from './config.ts';

/** What Redis is to this API, in problem details and logs. */
export const REDIS_ROLE = 'Redis (the session store)';

export const SESSION_DB = 0;
export const RATE_LIMIT_DB = 1;

export function createRedis(config: Config, db: number, onError: (error: Error) => void): Redis {
  const common: RedisOptions = {
    db,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    commandTimeout: config.dependencyTimeoutMs,
    connectTimeout: config.dependencyTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 500),
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
    connectionName: `${config.phase}/${config.instanceId}`,
  };
  const client =
    config.redis.kind === 'url'
      ? new Redis(config.redis.url, common)
      : new Redis({
          ...common,
          sentinels: config.redis.sentinels,
          name: config.redis.masterName,
          // Ask the Sentinels again quickly after a failover instead of waiting out backoff.
          sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 500),
          sentinelCommandTimeout: config.dependencyTimeoutMs,
          // Subscribe to the Sentinels' +switch-master so a failover is noticed without a failed command.
          failoverDetector: true,
        });
  // Without a listener ioredis would print every reconnect failure as an unhandled error event.
  client.on('error', onError);
  return client;
}

/**
 * Keeps a client connected for the life of the process. ioredis stops reconnecting for good once
 * a client reaches `end`, and from then on every command fails with "Connection is closed.": the
 * instance stays broken while its peers recover. That was seen here after a Redis failover (one
 * instance in two or three, intermittently). Unless the app is closing, an ended client is
 * connected again, which asks the Sentinels for the primary afresh.
 */
export function keepConnected(client: Redis, closing: () => boolean, onRevive: () => void): void {
  client.on('end', () => {
    if (closing()) return;
    onRevive();
    // A failed attempt ends the client again, and this runs again; spaced so it cannot spin.
    setTimeout(() => {
      if (!closing() && client.status === 'end') client.connect().catch(() => undefined);
    }, 200).unref();
  });
}

/** Resolves once the client is connected (commands fail fast before that: no offline queue). */
export async function redisReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await once(client, 'ready', { signal: AbortSignal.timeout(timeoutMs) });
}

// Redis replies that mean "not now" rather than "wrong command": a replica that was a primary
// (READONLY, during a failover), a server loading its data, a primary that lost its replicas.
const REDIS_TRANSIENT_REPLY = /^(READONLY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|BUSY)\b/;

/** Telling "Redis is unreachable" (503, the client retries) from "our command is wrong" (500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // ioredis's ReplyError is the server answering: only the transient replies count.
  if (error.name === 'ReplyError') return REDIS_TRANSIENT_REPLY.test(error.message);
  // Everything else is the connection: refused, reset, closed, offline queue off, timed out.
  return true;
}

/** Runs a Redis call; an unreachable Redis becomes core's DependencyUnavailableError. */
export function guardRedis<T>(call: () => Promise<T>): Promise<T> {
  return guardDependency(call, isRedisUnavailable, 'redis', REDIS_ROLE);
}
