/**
 * Configuration: read from the environment once, validated against a JSON schema, and handed to
 * everything else as a typed object. Nothing else reads process.env. Unlike the mockup, nothing
 * secret has a default: a missing JWT_SECRET or DATABASE_URL stops the process at start.
 */
import { envSchema } from 'env-schema';

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3002 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    INSTANCE_ID: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', default: 'api-1' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    REDIS_SENTINELS: { type: 'string', pattern: '^[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*$' },
    REDIS_MASTER_NAME: { type: 'string', minLength: 1, default: 'lab-primary' },
    REDIS_WAIT_REPLICAS: { type: 'integer', minimum: 0, maximum: 10, default: 0 },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    PG_POOL_MAX: { type: 'integer', minimum: 1, maximum: 200, default: 10 },
    DEPENDENCY_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    SESSION_TTL_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 300 },
    JWT_SECRET: { type: 'string', minLength: 32 },
    ACCESS_TOKEN_TTL_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 900 },
    REFRESH_TOKEN_TTL_SECONDS: { type: 'integer', minimum: 1, maximum: 7776000, default: 604800 },
    AUTH_RATE_LIMIT_MAX: { type: 'integer', minimum: 0, default: 20 },
    AUTH_RATE_LIMIT_WINDOW_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
    AUTH_USER_ATTEMPTS_MAX: { type: 'integer', minimum: 0, default: 10 },
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 64, maximum: 10485760, default: 16384 },
    MAINTENANCE_FILE: { type: 'string', minLength: 1 },
    COOKIE_SECURE: { type: 'boolean', default: false },
    TRUST_PROXY: { type: 'string', default: 'loopback' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 10000 },
    SHUTDOWN_DRAIN_DELAY_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 0 },
    AUDIT_FLUSH_INTERVAL_MS: { type: 'integer', minimum: 10, maximum: 60000, default: 250 },
  },
  required: ['DATABASE_URL', 'JWT_SECRET'],
  additionalProperties: true,
} as const;

interface RawEnv {
  PORT: number;
  HOST: string;
  INSTANCE_ID: string;
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_MASTER_NAME: string;
  REDIS_WAIT_REPLICAS: number;
  DATABASE_URL: string;
  PG_POOL_MAX: number;
  DEPENDENCY_TIMEOUT_MS: number;
  SESSION_TTL_SECONDS: number;
  JWT_SECRET: string;
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_SECONDS: number;
  AUTH_RATE_LIMIT_MAX: number;
  AUTH_RATE_LIMIT_WINDOW_SECONDS: number;
  AUTH_USER_ATTEMPTS_MAX: number;
  BODY_LIMIT_BYTES: number;
  MAINTENANCE_FILE?: string;
  COOKIE_SECURE: boolean;
  TRUST_PROXY: string;
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  SHUTDOWN_DRAIN_DELAY_MS: number;
  AUDIT_FLUSH_INTERVAL_MS: number;
}

export type RedisTarget = { kind: 'url'; url: string } | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; masterName: string };

export interface Config {
  port: number;
  host: string;
  phase: 'phase2-production';
  instanceId: string;
  redis: RedisTarget;
  /** Replicas that must have a session write (WAIT) before the client is told it succeeded. */
  redisWaitReplicas: number;
  databaseUrl: string;
  pgPoolMax: number;
  /** How long a call to Redis or PostgreSQL may take before the request answers 503. */
  dependencyTimeoutMs: number;
  sessionTtlSeconds: number;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authRateLimitMax: number;
  authRateLimitWindowSeconds: number;
  /** Sign-in attempts per username and window, from any address, before 429 (0: no limit). */
  authUserAttemptsMax: number;
  bodyLimitBytes: number;
  maintenanceFile: string | undefined;
  cookieSecure: boolean;
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
  const raw = envSchema<RawEnv>({ schema, data: env, dotenv: false });
  let redis: RedisTarget;
  if (raw.REDIS_SENTINELS !== undefined) {
    const sentinels = raw.REDIS_SENTINELS.split(',').map((entry) => {
      const [host = '', port = ''] = entry.split(':');
      return { host, port: Number(port) };
    });
    redis = { kind: 'sentinel', sentinels, masterName: raw.REDIS_MASTER_NAME };
  } else if (raw.REDIS_URL !== undefined) {
    redis = { kind: 'url', url: raw.REDIS_URL };
  } else {
    throw new Error('env must have REDIS_URL (one Redis) or REDIS_SENTINELS (host:port,… of the Sentinels)');
  }
  const trustProxy = raw.TRUST_PROXY === 'true' ? true : raw.TRUST_PROXY === 'false' ? false : raw.TRUST_PROXY;
  return {
    port: raw.PORT,
    host: raw.HOST,
    phase: 'phase2-production',
    instanceId: raw.INSTANCE_ID,
    redis,
    redisWaitReplicas: raw.REDIS_WAIT_REPLICAS,
    databaseUrl: raw.DATABASE_URL,
    pgPoolMax: raw.PG_POOL_MAX,
    dependencyTimeoutMs: raw.DEPENDENCY_TIMEOUT_MS,
    sessionTtlSeconds: raw.SESSION_TTL_SECONDS,
    jwtSecret: raw.JWT_SECRET,
    accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: raw.REFRESH_TOKEN_TTL_SECONDS,
    authRateLimitMax: raw.AUTH_RATE_LIMIT_MAX,
    authRateLimitWindowSeconds: raw.AUTH_RATE_LIMIT_WINDOW_SECONDS,
    authUserAttemptsMax: raw.AUTH_USER_ATTEMPTS_MAX,
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    maintenanceFile: raw.MAINTENANCE_FILE,
    cookieSecure: raw.COOKIE_SECURE,
    trustProxy,
    logLevel: raw.LOG_LEVEL,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: raw.SHUTDOWN_DRAIN_DELAY_MS,
    auditFlushIntervalMs: raw.AUDIT_FLUSH_INTERVAL_MS,
  };
}
