/**
 * Phase 1's components behind core's interfaces: sessions and refresh tokens in Maps, users and
 * products from JSON files, all in this one process's memory. Phase 2's twin puts the same
 * interfaces on Redis and PostgreSQL; `diff` the two files to see what production replaces.
 */
import { HttpSessionPeer, MaintenanceSwitch, MemorySignInAttempts, TokenService, maintenanceCheck, timed, type Check, type OperationContext } from 'core';
import type { Config } from './config.ts';
import { MemorySessionStore } from './sessions/session-store.ts';
import { JsonCatalog, readProductsFile } from './catalog/catalog.ts';
import { JsonUserDirectory, readUsersFile } from './auth/user-directory.ts';
import { MemoryRefreshTokenStore } from './auth/refresh-token-store.ts';
import { createMetrics, type HttpMetrics } from './http/metrics.ts';

export interface Components {
  context: OperationContext;
  sessions: MemorySessionStore;
  maintenance: MaintenanceSwitch;
  metrics: HttpMetrics;
  /** Stops timers and watchers; the process can then exit by itself. Everything kept dies with it. */
  close(): Promise<void>;
}

export function createComponents(config: Config, options: { now?: () => number } = {}): Components {
  const sessions = new MemorySessionStore({ ttlSeconds: config.sessionTtlSeconds, sweepIntervalSeconds: config.sessionSweepIntervalSeconds, ...options });
  const refreshTokens = new MemoryRefreshTokenStore();
  const refreshSweeper = setInterval(() => { refreshTokens.sweep(Date.now()); }, 60_000).unref();
  const catalog = new JsonCatalog(readProductsFile(config.dataDir));
  const maintenance = new MaintenanceSwitch(config.maintenanceFile);
  const metrics = createMetrics({ phase: config.phase, instance: config.instanceId }, { store: 'memory', countLive: () => sessions.countLive() });

  const context: OperationContext = {
    phase: config.phase,
    instanceId: config.instanceId,
    cookieSecure: config.cookieSecure,
    sessions,
    handover: config.handover ? new HttpSessionPeer(config.handover.peers, config.handover.adminToken, config.handover.timeoutMs) : null,
    catalog,
    users: new JsonUserDirectory(readUsersFile(config.dataDir)),
    signInAttempts: new MemorySignInAttempts(config.authUserAttemptsMax, config.authRateLimitWindowSeconds),
    tokens: new TokenService({
      secret: config.jwtSecret,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
      store: refreshTokens,
      ...options,
    }),
    health: {
      startedAt: Date.now(),
      states: (): Check[] => [maintenanceCheck(maintenance)],
      dependencies: () =>
        Promise.all([
          timed('sessionStore', async () => { await sessions.ping(); return 'in-memory Map'; }),
          timed('catalog', async () => { await catalog.ping(); return 'JSON file'; }),
        ]),
    },
    metrics: { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics() },
    // A mockup keeps no audit trail: what it knew about sessions dies with the process anyway.
    audit: { record: () => undefined },
  };

  return {
    context,
    sessions,
    maintenance,
    metrics,
    close: async () => {
      clearInterval(refreshSweeper);
      maintenance.close();
      await sessions.close();
    },
  };
}
