/**
 * The phase 2 stack on local binaries: Redis and PostgreSQL on free ports, the migration step,
 * then phase 2 instances. `REDIS_URL` / `DATABASE_URL` in the environment point it at existing
 * servers instead (compose, a cloud service).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.ts';
import { phase2Dir } from './paths.ts';
import { startProcess, type ManagedProcess } from './processes.ts';
import { startPostgres, type RunningPostgres } from './infra/postgres.ts';
import { startPostgresReplica } from './infra/postgres-replica.ts';
import { startPgBouncer, type RunningPgBouncer } from './infra/pgbouncer.ts';
import { startRedis, type RunningRedis } from './infra/redis.ts';
import { startRedisHa, type RunningRedisHa } from './infra/redis-ha.ts';
import { startRedisCluster, type RunningRedisCluster } from './infra/redis-cluster.ts';
import type { RunningPhase } from './phases.ts';

export interface Phase2Stack {
  /** One Redis (small runs), or none when `redisHa` or `redisCluster` is set. */
  redis: RunningRedis | null;
  /** Primary, two replicas and three Sentinels (the high-availability topology). */
  redisHa: RunningRedisHa | null;
  /** A Redis Cluster: three shards, each a primary and a replica. */
  redisCluster: RunningRedisCluster | null;
  postgres: RunningPostgres;
  /** With `--postgres replica`: a streaming replica for the catalog's reads, and PgBouncer (transaction mode) in front of the primary. */
  postgresReplica: RunningPostgres | null;
  pgbouncer: RunningPgBouncer | null;
  /** The settings every instance gets (the same secret, the same stores). */
  env: StackEnv;
  /** The session store in a line: where each of its processes listens. */
  storeDescription: string;
  workDir: string;
}

const LISTENING = /phase2-production listening on (http:\/\/[\d.]+:\d+)/;

/** The largest request body an instance takes (phase 2's default), and so the most nginx passes on. */
export const BODY_LIMIT_BYTES = 16_384;

/** A stack's settings: environment variables, the ones the harness reads back named. */
export type StackEnv = Record<string, string> & { DATABASE_URL: string; JWT_SECRET: string; MAINTENANCE_FILE: string };

/** The settings every phase 2 instance of a stack shares (compose.yaml gives its instances the same). */
export function stackEnv(options: {
  redis: { url: string } | { sentinels: string; masterName: string } | { clusterNodes: string };
  databaseUrl: string;
  jwtSecret: string;
  maintenanceFile: string;
}): StackEnv {
  const redis: Record<string, string> =
    'url' in options.redis
      ? { REDIS_URL: options.redis.url }
      : 'clusterNodes' in options.redis
        ? // Any of the cluster's nodes; a write counts once its shard's replica has it.
          { REDIS_CLUSTER_NODES: options.redis.clusterNodes, REDIS_WAIT_REPLICAS: '1' }
        : // Through the Sentinels, and a session write counts only once a replica has it.
          { REDIS_SENTINELS: options.redis.sentinels, REDIS_MASTER_NAME: options.redis.masterName, REDIS_WAIT_REPLICAS: '1' };
  // nginx, the one hop the instances trust for the client's address, runs on this machine. It
  // serves https only (plain HTTP redirects), so the session cookie is always Secure.
  // The body limit is nginx's too (BODY_LIMIT_BYTES below): see startNginx.
  return { ...redis, DATABASE_URL: options.databaseUrl, JWT_SECRET: options.jwtSecret, MAINTENANCE_FILE: options.maintenanceFile, LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback', COOKIE_SECURE: 'true', BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) };
}

/** What one instance adds to its stack's settings. */
export function instanceEnv(instanceId: string, port: number | string): Record<string, string> {
  return { PORT: String(port), HOST: '127.0.0.1', INSTANCE_ID: instanceId };
}

/** The session store's shapes: one Redis, a primary with replicas and Sentinels, or a cluster of shards. */
export type RedisMode = 'single' | 'sentinel' | 'cluster';
export const REDIS_MODES: readonly RedisMode[] = ['single', 'sentinel', 'cluster'];

/** PostgreSQL alone, or with a streaming replica and PgBouncer in front of the primary. */
export type PostgresMode = 'single' | 'replica';
export const POSTGRES_MODES: readonly PostgresMode[] = ['single', 'replica'];

/** `ha` (the Sentinel topology, or one Redis) unless `redis` names the shape. */
export async function startPhase2Infrastructure(cleanup: Cleanup, options: { ha?: boolean; redis?: RedisMode; postgres?: PostgresMode } = {}): Promise<Phase2Stack> {
  const workDir = mkdtempSync(join(tmpdir(), 'lab-phase2-'));
  cleanup.add(`remove ${workDir}`, () => { rmSync(workDir, { recursive: true, force: true }); });
  const mode = options.redis ?? (options.ha ? 'sentinel' : 'single');
  const none = { redis: null, redisHa: null, redisCluster: null };
  const startStore = async () => {
    if (mode === 'cluster') {
      const redisCluster = await startRedisCluster(cleanup);
      const shards = await redisCluster.shards();
      const description = `redis cluster, ${shards.length} shards: ${shards.map((s) => `${s.primary.name}:${s.primary.port} (replica ${s.replicas.map((r) => `${r.name}:${r.port}`).join(', ')})`).join('; ')}`;
      return { ...none, redisCluster, description, settings: { clusterNodes: redisCluster.nodeList } };
    }
    if (mode === 'sentinel') {
      const redisHa = await startRedisHa(cleanup);
      const description = `redis primary + replicas ${redisHa.nodes.map((n) => `${n.name}:${n.port}`).join(', ')}, sentinels ${redisHa.sentinelList}`;
      return { ...none, redisHa, description, settings: { sentinels: redisHa.sentinelList, masterName: redisHa.masterName } };
    }
    const redis = await startRedis(cleanup);
    return { ...none, redis, description: `redis ${redis.url}`, settings: { url: redis.url } };
  };
  const [{ redis, redisHa, redisCluster, description, settings }, postgres] = await Promise.all([startStore(), startPostgres(cleanup)]);
  const replicated = options.postgres === 'replica';
  const [postgresReplica, pgbouncer] = replicated ? await Promise.all([startPostgresReplica(cleanup, postgres), startPgBouncer(cleanup, postgres)]) : [null, null];
  const env = stackEnv({
    redis: settings,
    databaseUrl: pgbouncer?.url ?? postgres.url,
    jwtSecret: randomBytes(32).toString('base64url'),
    maintenanceFile: join(workDir, 'maintenance'),
  });
  if (postgresReplica) Object.assign(env, { DATABASE_POOLER: 'pgbouncer-transaction', DATABASE_READ_URL: postgresReplica.url });
  // Against PostgreSQL itself: the migration holds a session advisory lock, which PgBouncer's
  // transaction mode would not keep on one server connection.
  await runMigrate({ ...env, DATABASE_URL: postgres.url }, []);
  return { redis, redisHa, redisCluster, postgres, postgresReplica, pgbouncer, env, workDir, storeDescription: description };
}

/** `npm run migrate` of phase 2, as a deployment would run it. */
export async function runMigrate(env: Record<string, string>, args: string[]): Promise<string> {
  const { process: child } = await startProcess({
    name: 'migrate',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli/migrate.ts', ...args],
    cwd: phase2Dir,
    env: { ...process.env, ...env },
  });
  const { code } = await child.exit;
  if (code !== 0) throw new Error(`phase 2 migration failed (exit ${String(code)}):\n${child.recentOutput()}`);
  return child.recentOutput();
}

export async function startPhase2Instance(cleanup: Cleanup, stack: Phase2Stack, instanceId: string, env: Record<string, string> = {}, options: { echo?: boolean } = {}): Promise<{ url: string; process: ManagedProcess }> {
  const { process: child, match } = await startProcess({
    name: `phase2/${instanceId}`,
    command: process.execPath,
    args: ['--import', 'tsx', 'src/server.ts'],
    cwd: phase2Dir,
    env: { ...process.env, ...stack.env, ...instanceEnv(instanceId, 0), ...env },
    readyLine: LISTENING,
    echo: options.echo ?? false,
  });
  cleanup.add(`stop phase2/${instanceId}`, () => child.stop());
  const url = match?.[1];
  if (!url) throw new Error('phase2-production printed no address');
  return { url, process: child };
}

/** One phase 2 instance on its own infrastructure: what the contract check and small runs use. */
export async function startPhase2(cleanup: Cleanup, env: Record<string, string> = {}): Promise<RunningPhase & { stack: Phase2Stack }> {
  const stack = await startPhase2Infrastructure(cleanup);
  const instance = await startPhase2Instance(cleanup, stack, 'api-1', env);
  const running = {
    name: 'phase2-production' as const,
    url: instance.url,
    maintenanceFile: stack.env.MAINTENANCE_FILE,
    processes: [instance.process],
    stop: () => instance.process.stop(),
    restart: async () => {
      await instance.process.stop();
      const again = await startPhase2Instance(cleanup, stack, 'api-1', { ...env, PORT: new URL(instance.url).port });
      return { ...running, url: again.url, processes: [again.process], stop: () => again.process.stop() };
    },
    stack,
  };
  return running;
}
