/** What the routes are given: the configuration and the services behind their interfaces. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog, MaintenanceSwitch, SessionStore, TokenService, UserDirectory } from 'core';
import type { Config } from './config.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { HttpMetrics } from './http/metrics.ts';
import type { Lifecycle } from './http/lifecycle.ts';
import type { Guard } from './http/session-auth.ts';

export interface AppContext {
  config: Config;
  startedAt: number;
  sessions: SessionStore;
  catalog: Catalog;
  users: UserDirectory;
  tokens: TokenService;
  maintenance: MaintenanceSwitch;
  metrics: HttpMetrics;
  audit: AuditLog;
  lifecycle: Lifecycle;
}

/** A contract operation's implementation; the route, its schemas and validation come from the contract. */
export interface OperationRoute {
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  preHandler?: Guard[];
  config?: Record<string, unknown>;
}

export type OperationRoutes = Record<string, OperationRoute>;
