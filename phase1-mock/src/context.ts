/** What the routes are given: the configuration and the services behind their interfaces. */
import type { Config } from './config.ts';
import type { Catalog } from './catalog/catalog.ts';
import type { UserDirectory } from './auth/users.ts';
import type { TokenService } from './auth/tokens.ts';
import type { SessionStore } from './sessions/store.ts';
import type { MaintenanceSwitch } from './http/maintenance.ts';
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
