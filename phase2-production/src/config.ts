/**
 * Configuration: read from the environment once, validated against a JSON schema, and handed to
 * everything else as a typed object. Nothing else reads process.env. Unlike the mockup, nothing
 * secret has a default: a missing JWT_SECRET or DATABASE_URL stops the process at start.
 */
import { envSchema } from 'env-schema';
import { SHARED_SETTINGS, sharedSettings, type SharedRawEnv, type SharedSettings } from 'core';

/** The settings phase 2 reads, as env-schema checks them: a name not here is not read at all. */
export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3002 },
    INSTANCE_ID: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', default: 'api-1' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    REDIS_SENTINELS: { type: 'string', pattern: '^[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*$' },
    REDIS_CLUSTER_NODES: { type: 'string', pattern: '^[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*$' },
    REDIS_MASTER_NAME: { type: 'string', minLength: 1, default: 'lab-primary' },
    REDIS_WAIT_REPLICAS: { type: 'integer', minimum: 0, maximum: 10, default: 0 },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATABASE_READ_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATABASE_POOLER: { type: 'string', enum: ['none', 'pgbouncer-transaction'], default: 'none' },
    PG_POOL_MAX: { type: 'integer', minimum: 1, maximum: 200, default: 10 },
    DEPENDENCY_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    ...SHARED_SETTINGS,
    TRUST_PROXY: { type: 'string', default: 'loopback' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 10000 },
    SHUTDOWN_DRAIN_DELAY_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 0 },
    AUDIT_FLUSH_INTERVAL_MS: { type: 'integer', minimum: 10, maximum: 60000, default: 250 },
  },
  required: ['DATABASE_URL', 'JWT_SECRET'],
  additionalProperties: true,
} as const;

interface RawEnv extends SharedRawEnv {
  PORT: number;
  INSTANCE_ID: string;
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_MASTER_NAME: string;
  REDIS_WAIT_REPLICAS: number;
  DATABASE_URL: string;
  DATABASE_READ_URL?: string;
  DATABASE_POOLER: 'none' | 'pgbouncer-transaction';
  PG_POOL_MAX: number;
  DEPENDENCY_TIMEOUT_MS: number;
  /** Required here (the schema says so): production never invents its signing key. */
  JWT_SECRET: string;
  TRUST_PROXY: string;
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  SHUTDOWN_DRAIN_DELAY_MS: number;
  AUDIT_FLUSH_INTERVAL_MS: number;
}

type HostPort = { host: string; port: number };

/** One Redis, a primary found through Sentinels, or a Redis Cluster reached through any of its nodes. */
export type RedisTarget = { kind: 'url'; url: string } | { kind: 'sentinel'; sentinels: HostPort[]; masterName: string } | { kind: 'cluster'; nodes: HostPort[] };

/** `host:port,host:port` (the schema has checked its shape) as a list. */
function hostPorts(list: string): HostPort[] {
  return list.split(',').map((entry) => {
    const [host = '', port = ''] = entry.split(':');
    return { host, port: Number(port) };
  });
}

export interface Config extends SharedSettings {
  port: number;
  phase: 'phase2-production';
  instanceId: string;
  redis: RedisTarget;
  /** Replicas that must have a session write (WAIT) before the client is told it succeeded. */
  redisWaitReplicas: number;
  databaseUrl: string;
  /** A streaming replica for the catalog's reads (the primary answers them while it is unreachable); null: the primary. */
  databaseReadUrl: string | null;
  /** What DATABASE_URL reaches: PostgreSQL itself, or PgBouncer in transaction mode (which refuses some startup parameters). */
  databasePooler: 'none' | 'pgbouncer-transaction';
  pgPoolMax: number;
  /** How long a call to Redis or PostgreSQL may take before the request answers 503. */
  dependencyTimeoutMs: number;
  jwtSecret: string;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe (nginx runs on loopback). */
  trustProxy: string | boolean;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** How long to keep serving, reported not ready, before refusing new connections: a probing balancer's time to notice. */
  shutdownDrainDelayMs: number;
  auditFlushIntervalMs: number;
}

/** Parses and validates `env`; throws an error naming the offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = envSchema<RawEnv>({ schema: SETTINGS_SCHEMA, data: env, dotenv: false });
  // Sentinels first, then a cluster, then one URL: a deployment that adds Sentinels in front of
  // the Redis it had keeps working before REDIS_URL is removed.
  let redis: RedisTarget;
  if (raw.REDIS_SENTINELS !== undefined) redis = { kind: 'sentinel', sentinels: hostPorts(raw.REDIS_SENTINELS), masterName: raw.REDIS_MASTER_NAME };
  else if (raw.REDIS_CLUSTER_NODES !== undefined) redis = { kind: 'cluster', nodes: hostPorts(raw.REDIS_CLUSTER_NODES) };
  else if (raw.REDIS_URL !== undefined) redis = { kind: 'url', url: raw.REDIS_URL };
  else throw new Error('env must have REDIS_URL (one Redis), REDIS_SENTINELS (host:port,… of the Sentinels) or REDIS_CLUSTER_NODES (host:port,… of some of the Redis Cluster\'s nodes)');
  const trustProxy = raw.TRUST_PROXY === 'true' ? true : raw.TRUST_PROXY === 'false' ? false : raw.TRUST_PROXY;
  return {
    ...sharedSettings(raw),
    port: raw.PORT,
    phase: 'phase2-production',
    instanceId: raw.INSTANCE_ID,
    redis,
    redisWaitReplicas: raw.REDIS_WAIT_REPLICAS,
    databaseUrl: raw.DATABASE_URL,
    databaseReadUrl: raw.DATABASE_READ_URL ?? null,
    databasePooler: raw.DATABASE_POOLER,
    pgPoolMax: raw.PG_POOL_MAX,
    dependencyTimeoutMs: raw.DEPENDENCY_TIMEOUT_MS,
    jwtSecret: raw.JWT_SECRET,
    trustProxy,
    logLevel: raw.LOG_LEVEL,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: raw.SHUTDOWN_DRAIN_DELAY_MS,
    auditFlushIntervalMs: raw.AUDIT_FLUSH_INTERVAL_MS,
  };
}
