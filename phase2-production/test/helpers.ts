/**
 * Phase 2 tests run against real Redis and PostgreSQL processes that the harness starts on free
 * ports for each test file (and stops afterwards). Apps are built in-process and driven with
 * app.inject; tests about processes (restart, shutdown) start real ones through the harness.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Cleanup, startPostgres, startRedis, type RunningPostgres, type RunningRedis } from 'harness';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../src/config.ts';
import { buildApp, type Phase2App } from '../src/app.ts';
import { createPool } from '../src/db/pool.ts';
import { migrate } from '../src/db/migrate.ts';
import { PHASE1_DATA_DIR, importPhase1Data } from '../src/migration.ts';


export const TEST_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface Infrastructure {
  redis: RunningRedis;
  postgres: RunningPostgres;
  cleanup: Cleanup;
}

/** Starts Redis and PostgreSQL (migrated and loaded with phase 1's data) for this test file. */
export function useInfrastructure(): Infrastructure {
  const infra = { cleanup: new Cleanup() } as Infrastructure;
  const apps: Phase2App[] = [];
  beforeAll(async () => {
    [infra.redis, infra.postgres] = await Promise.all([startRedis(infra.cleanup), startPostgres(infra.cleanup)]);
    const pool = createPool({ connectionString: infra.postgres.url, max: 2, timeoutMs: 5000, applicationName: 'test-setup' }, () => undefined);
    await migrate(pool);
    await importPhase1Data(pool, PHASE1_DATA_DIR);
    await pool.end();
  });
  afterEach(async () => {
    for (const built of apps.splice(0)) await built.app.close();
    // A clean slate for the next test: no sessions, no rate-limit counters.
    if (infra.redis.process()) {
      const admin = new Redis(infra.redis.url, { lazyConnect: true });
      await admin.connect();
      await admin.flushall();
      admin.disconnect();
    }
  });
  afterAll(() => infra.cleanup.run());
  testApps.set(infra, apps);
  return infra;
}

const testApps = new WeakMap<Infrastructure, Phase2App[]>();

export function testConfig(infra: Infrastructure, env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: infra.redis.url,
    DATABASE_URL: infra.postgres.url,
    JWT_SECRET: TEST_SECRET,
    AUTH_RATE_LIMIT_MAX: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** A phase 2 app on the file's infrastructure, ready for inject, closed after the test. */
export async function testApp(infra: Infrastructure, env: Record<string, string> = {}, options: { now?: () => number } = {}): Promise<Phase2App> {
  const built = await buildApp(testConfig(infra, env), { ...options, logger: false });
  await built.app.ready();
  testApps.get(infra)?.push(built);
  // Wait for Redis the way a load balancer would: until the instance reports ready.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await built.app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return built;
}

export interface Client {
  cookie: string;
  csrf: string;
}

export function sidFrom(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const sid = all.find((c) => c.startsWith('sid='));
  if (!sid) throw new Error(`no sid cookie in ${JSON.stringify(setCookie)}`);
  return sid.split(';')[0] ?? '';
}

export async function startSession(built: Phase2App, credentials?: { username: string; password: string }): Promise<Client> {
  const res = await built.app.inject({ method: 'POST', url: '/api/stateful/sessions', ...(credentials ? { payload: credentials } : {}) });
  if (res.statusCode !== 201) throw new Error(`session start failed: ${res.statusCode} ${res.body}`);
  return { cookie: sidFrom(res.headers['set-cookie']), csrf: res.json<{ csrfToken: string }>().csrfToken };
}

export function expectProblem(res: LightMyRequestResponse, status: number, code: string): void {
  if (res.statusCode !== status) throw new Error(`expected ${status} ${code}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) throw new Error(`not problem+json: ${String(res.headers['content-type'])}`);
  const body = res.json<Record<string, unknown>>();
  if (body.code !== code || body.status !== status || typeof body.title !== 'string' || body.requestId !== res.headers['x-request-id']) {
    throw new Error(`bad problem body for ${code}: ${res.body}`);
  }
}
