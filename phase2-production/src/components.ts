/**
 * Phase 2's components behind core's interfaces: sessions in Redis, users, products and refresh
 * tokens in PostgreSQL, the audit trail, metrics, maintenance and draining. Phase 1's twin puts the
 * same interfaces on a Map and JSON files; `diff` the two files to see what production replaces.
 */
import { HttpSessionPeer, MaintenanceSwitch, TokenService, maintenanceCheck, timed, type Check, type OperationContext } from 'core';
import type { Config } from './config.ts';
import { RATE_LIMIT_DB, SESSION_DB, createRedis, keepConnected, type RedisClient } from './redis.ts';
import { createPool, type Pool } from './db/pool.ts';
import { RedisSessionStore } from './sessions/session-store.ts';
import { PgCatalog } from './catalog/catalog.ts';
import { RedisSignInAttempts } from './auth/sign-in-attempts.ts';
import { PgUserDirectory } from './auth/user-directory.ts';
import { PgRefreshTokenStore } from './auth/refresh-token-store.ts';
import { AuditLog } from './audit/audit-log.ts';
import { Lifecycle } from './http/lifecycle.ts';
import { createMetrics, type HttpMetrics } from './http/metrics.ts';

export interface Components {
  context: OperationContext;
  sessions: RedisSessionStore;
  maintenance: MaintenanceSwitch;
  metrics: HttpMetrics;
  /** Production only: the pool, the Redis clients, the audit trail, draining. */
  redis: RedisClient;
  limitsRedis: RedisClient;
  pool: Pool;
  audit: AuditLog;
  lifecycle: Lifecycle;
  /** Closes what writes (the audit log) before what it writes to (the pool), clients last. */
  close(): Promise<void>;
}

export function createComponents(config: Config, log: { warn(details: object, message: string): void }, options: { now?: () => number } = {}): Components {
  const redis = createRedis(config, SESSION_DB, (error) => { log.warn({ err: error }, 'redis (sessions) connection error'); });
  const limitsRedis = createRedis(config, RATE_LIMIT_DB, (error) => { log.warn({ err: error }, 'redis (rate limits) connection error'); });
  let closing = false;
  for (const [client, name] of [[redis, 'sessions'], [limitsRedis, 'rate limits']] as const) {
    keepConnected(client, () => closing, () => { log.warn({}, `redis (${name}) client ended; connecting it again`); });
  }
  const poolSettings = { max: config.pgPoolMax, timeoutMs: config.dependencyTimeoutMs, applicationName: `${config.phase}/${config.instanceId}` };
  const pool = createPool(
    { ...poolSettings, connectionString: config.databaseUrl, pooler: config.databasePooler },
    (error) => { log.warn({ err: error }, 'postgres idle client error'); },
  );
  // The replica is PostgreSQL itself (a read pool beside the primary's), not behind PgBouncer.
  const readPool = config.databaseReadUrl
    ? createPool({ ...poolSettings, connectionString: config.databaseReadUrl }, (error) => { log.warn({ err: error }, 'postgres replica idle client error'); })
    : null;
  const sessions = new RedisSessionStore(redis, {
    ttlSeconds: config.sessionTtlSeconds,
    waitReplicas: config.redisWaitReplicas,
    // Inside the command timeout, so WAIT's own answer (how many replicas) arrives, not a timeout.
    waitTimeoutMs: Math.max(10, Math.floor(config.dependencyTimeoutMs / 2)),
    ...options,
  });
  const catalog = new PgCatalog(pool, readPool);
  const audit = new AuditLog(pool, {
    instance: config.instanceId,
    flushIntervalMs: config.auditFlushIntervalMs,
    onError: (error) => { log.warn({ err: error }, 'audit log flush failed; events kept for the next attempt'); },
  });
  const maintenance = new MaintenanceSwitch(config.maintenanceFile);
  const lifecycle = new Lifecycle();
  const metrics = createMetrics({ phase: config.phase, instance: config.instanceId }, { sessions: { store: 'redis', countLive: () => sessions.countLive() }, auditPending: () => audit.pending });

  const context: OperationContext = {
    phase: config.phase,
    instanceId: config.instanceId,
    cookieSecure: config.cookieSecure,
    sessions,
    handover: config.handover ? new HttpSessionPeer(config.handover.peers, config.handover.adminToken, config.handover.timeoutMs) : null,
    catalog,
    users: new PgUserDirectory(pool),
    signInAttempts: new RedisSignInAttempts(limitsRedis, config.authUserAttemptsMax, config.authRateLimitWindowSeconds, (error) => {
      log.warn({ err: error }, 'sign-in attempts counted in this instance\'s memory: Redis (rate limits) unreachable');
    }),
    tokens: new TokenService({
      secret: config.jwtSecret,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
      store: new PgRefreshTokenStore(pool),
      ...options,
    }),
    health: {
      startedAt: Date.now(),
      states: (): Check[] => [
        maintenanceCheck(maintenance),
        { name: 'shutdown', status: lifecycle.draining ? 'fail' : 'pass', latencyMs: 0, detail: lifecycle.draining ? 'draining' : 'running' },
      ],
      dependencies: () =>
        Promise.all([
          timed('sessionStore', async () => { await sessions.ping(); return 'Redis'; }),
          timed('database', async () => {
            await catalog.ping();
            const replica = await catalog.pingReplica();
            return replica === null ? 'PostgreSQL' : replica ? 'PostgreSQL; catalog reads on its replica' : 'PostgreSQL; replica unreachable, catalog reads on the primary';
          }),
        ]),
    },
    metrics: { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics() },
    audit,
  };

  return {
    context,
    sessions,
    maintenance,
    metrics,
    redis,
    limitsRedis,
    pool,
    audit,
    lifecycle,
    close: async () => {
      closing = true;
      maintenance.close();
      await audit.close(Date.now() + config.shutdownTimeoutMs / 2);
      await Promise.all([pool.end(), readPool?.end()]);
      await Promise.allSettled([redis.quit(), limitsRedis.quit()]);
    },
  };
}
