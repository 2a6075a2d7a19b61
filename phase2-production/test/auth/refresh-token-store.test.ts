/** Core's refresh-token-store behaviour suite, against phase 2's store on a real PostgreSQL. */
import { afterAll } from 'vitest';
import { describeRefreshTokenStore } from 'core/test-suites';
import { PgRefreshTokenStore } from '../../src/auth/refresh-token-store.ts';
import { createPool, type Pool } from '../../src/db/pool.ts';
import { useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
let pool: Pool | null = null;
afterAll(async () => { await pool?.end(); });

describeRefreshTokenStore('PgRefreshTokenStore (PostgreSQL)', () => {
  pool ??= createPool({ connectionString: infra.postgres.url, max: 4, timeoutMs: 5000, applicationName: 'refresh-store-test' }, () => undefined);
  return Promise.resolve(new PgRefreshTokenStore(pool));
});
