/**
 * `npm run migrate -w phase2-production [-- options]`: the deployment step before phase 2 starts.
 *   1. applies the SQL migrations (src/db/migrations, in order, once each);
 *   2. loads phase 1's users and products (--data-dir, default ../phase1-mock/data);
 *   3. with --sessions-from <phase 1 URL> (and PHASE1_ADMIN_TOKEN), moves its live sessions into Redis.
 * Reads DATABASE_URL, and REDIS_URL or REDIS_SENTINELS for step 3.
 */
import { parseArgs } from 'node:util';
import { envSchema } from 'env-schema';
import { createPool } from '../db/pool.ts';
import { migrate } from '../db/migrate.ts';
import { PHASE1_DATA_DIR, importPhase1Data, fetchPhase1Sessions, importSessions } from '../migration.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { messageOf } from 'core';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: PHASE1_DATA_DIR },
    'sessions-from': { type: 'string' },
    'skip-data': { type: 'boolean', default: false },
  },
});

const env = envSchema<{ DATABASE_URL: string; REDIS_URL?: string; REDIS_SENTINELS?: string; PHASE1_ADMIN_TOKEN?: string }>({
  schema: {
    type: 'object',
    required: ['DATABASE_URL'],
    properties: {
      DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
      REDIS_URL: { type: 'string' },
      REDIS_SENTINELS: { type: 'string' },
      PHASE1_ADMIN_TOKEN: { type: 'string' },
    },
  },
  dotenv: false,
});

const pool = createPool({ connectionString: env.DATABASE_URL, max: 2, timeoutMs: 10_000, applicationName: 'migrate' }, (error) => {
  console.error(`migrate: postgres error: ${error.message}`);
});
let exitCode = 0;
try {
  const applied = await migrate(pool);
  console.log(`migrate: schema ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'already current'}`);
  if (!values['skip-data']) {
    const counts = await importPhase1Data(pool, values['data-dir']);
    console.log(`migrate: loaded ${counts.users} users and ${counts.products} products from ${values['data-dir']}`);
  }
  if (values['sessions-from'] !== undefined) {
    if (!env.PHASE1_ADMIN_TOKEN) throw new Error('--sessions-from needs PHASE1_ADMIN_TOKEN, the ADMIN_TOKEN phase 1 runs with');
    const { loadConfig } = await import('../config.ts');
    const { createRedis, redisReady, SESSION_DB } = await import('../redis.ts');
    const { RedisSessionStore } = await import('../sessions/session-store.ts');
    // Only the Redis settings matter here; the rest of phase 2's configuration is not needed.
    const config = loadConfig({ JWT_SECRET: 'x'.repeat(32), ...process.env, DEPENDENCY_TIMEOUT_MS: '5000' });
    const redis = createRedis(config, SESSION_DB, (error) => { console.error(`migrate: redis error: ${error.message}`); });
    const audit = new AuditLog(pool, { instance: 'migrate', flushIntervalMs: 60_000 });
    try {
      await redisReady(redis, 10_000);
      const sessions = await fetchPhase1Sessions(values['sessions-from'], env.PHASE1_ADMIN_TOKEN);
      const store = new RedisSessionStore(redis, { ttlSeconds: config.sessionTtlSeconds });
      const { moved, expired } = await importSessions(store, sessions, audit);
      await audit.close(Date.now() + 10_000);
      console.log(`migrate: moved ${moved} live sessions from ${values['sessions-from']} into Redis (${expired} had expired)`);
    } finally {
      await redis.quit();
    }
  }
} catch (error) {
  console.error(`migrate: ${messageOf(error)}`);
  exitCode = 1;
} finally {
  await pool.end();
}
process.exit(exitCode);
