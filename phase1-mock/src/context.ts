/** What the routes are given: the configuration and the services behind their interfaces. */
import type { Config } from './config.ts';
import type { Catalog, MaintenanceSwitch, SessionStore, TokenService, UserDirectory } from 'core';
import type { HttpMetrics } from './http/metrics.ts';

export interface AppContext {
  config: Config;
  startedAt: number;
  sessions: SessionStore;
  catalog: Catalog;
  users: UserDirectory;
  tokens: TokenService;
  maintenance: MaintenanceSwitch;
  metrics: HttpMetrics;
}
