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
 *
 * With a Redis Cluster (REDIS_CLUSTER_NODES) the client is ioredis's Cluster, which learns from
 * any node which node serves which of the 16,384 hash slots, sends each command to the primary of
 * its key's slot and follows MOVED and ASK redirections; the cluster has no logical databases, so
 * both clients use database 0 and the rate limits' keys share one hash slot of their own
 * (LIMITS_HASH_TAG). https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/
 */
import { once } from 'node:events';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { guardDependency } from 'core';
import type { Config } from './config.ts';

/** What Redis is to this API, in problem details and logs. */
export const REDIS_ROLE = 'Redis (the session store)';

export const SESSION_DB = 0;
export const RATE_LIMIT_DB = 1;

/**
 * In a cluster, every rate-limit and sign-in-attempt key carries this hash tag, so they all live in
 * one slot and the session count can leave them out (RedisSessionStore.countLive). They are few
 * and short-lived; the cost is that one shard takes all of them.
 */
export const LIMITS_HASH_TAG = '{limits}';

/** One Redis (found directly or through Sentinels), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export function createRedis(config: Config, db: number, onError: (error: Error) => void): RedisClient {
  // What every connection gets, to one Redis or to each node of a cluster.
  const connection = {
    enableAutoPipelining: true,
    commandTimeout: config.dependencyTimeoutMs,
    connectTimeout: config.dependencyTimeoutMs,
    maxRetriesPerRequest: 1,
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
    connectionName: `${config.phase}/${config.instanceId}`,
  } satisfies ClusterOptions['redisOptions'];
  const retryStrategy = (attempt: number) => Math.min(attempt * 100, 500);
  const common: RedisOptions = { ...connection, db, enableOfflineQueue: false, retryStrategy };
  const client =
    config.redis.kind === 'url'
      ? new Redis(config.redis.url, common)
      : config.redis.kind === 'cluster'
        ? new Cluster(config.redis.nodes, {
          // A cluster has database 0 only: both clients use it.
          redisOptions: connection,
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          scaleReads: 'master',
          clusterRetryStrategy: retryStrategy,
          // Keep a connection to a node that restarts (a replica coming back), and ask the cluster for
          // its slots every second: a failover moves a shard's slots to the promoted replica, and a
          // node that is paused rather than dead closes no connection to tell the client.
          clusterNodeRetryStrategy: retryStrategy,
          slotsRefreshInterval: 1000,
          slotsRefreshTimeout: config.dependencyTimeoutMs,
        })
        : new Redis({
            ...common,
            sentinels: config.redis.sentinels,
            name: config.redis.masterName,
            // Ask the Sentinels again quickly after a failover instead of waiting out backoff.
            sentinelRetryStrategy: retryStrategy,
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
export function keepConnected(client: RedisClient, closing: () => boolean, onRevive: () => void): void {
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
export async function redisReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await once(client, 'ready', { signal: AbortSignal.timeout(timeoutMs) });
}

// Redis replies that mean "not now" rather than "wrong command": a replica that was a primary
// (READONLY, during a failover), a server loading its data, a primary that lost its replicas.
// In a cluster also MOVED and ASK that reach the app (a slot moving during a failover): the command
// did not run, and the client refreshes its map of the slots.
const REDIS_TRANSIENT_REPLY = /^(READONLY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|BUSY|MOVED|ASK)\b/;

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
