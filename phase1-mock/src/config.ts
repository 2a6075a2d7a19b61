/**
 * Configuration: read from the environment once, validated against a JSON schema, and handed to
 * everything else as a typed object. Nothing else reads process.env.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { envSchema } from 'env-schema';

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3001 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    INSTANCE_ID: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', default: 'mock-1' },
    DATA_DIR: { type: 'string', minLength: 1, default: fileURLToPath(new URL('../data', import.meta.url)) },
    SESSION_TTL_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 300 },
    SESSION_SWEEP_INTERVAL_SECONDS: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
    JWT_SECRET: { type: 'string', minLength: 32 },
    ACCESS_TOKEN_TTL_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 900 },
    REFRESH_TOKEN_TTL_SECONDS: { type: 'integer', minimum: 1, maximum: 7776000, default: 604800 },
    AUTH_RATE_LIMIT_MAX: { type: 'integer', minimum: 0, default: 20 },
    AUTH_RATE_LIMIT_WINDOW_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
    AUTH_USER_ATTEMPTS_MAX: { type: 'integer', minimum: 0, default: 10 },
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 64, maximum: 10485760, default: 16384 },
    MAINTENANCE_FILE: { type: 'string', minLength: 1 },
    COOKIE_SECURE: { type: 'boolean', default: false },
    VALIDATE_RESPONSES: { type: 'boolean', default: false },
    LOG_REQUESTS: { type: 'boolean', default: false },
    ADMIN_TOKEN: { type: 'string', minLength: 16 },
  },
  required: [],
  additionalProperties: true,
} as const;

interface RawEnv {
  PORT: number;
  HOST: string;
  INSTANCE_ID: string;
  DATA_DIR: string;
  SESSION_TTL_SECONDS: number;
  SESSION_SWEEP_INTERVAL_SECONDS: number;
  JWT_SECRET?: string;
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_SECONDS: number;
  AUTH_RATE_LIMIT_MAX: number;
  AUTH_RATE_LIMIT_WINDOW_SECONDS: number;
  AUTH_USER_ATTEMPTS_MAX: number;
  BODY_LIMIT_BYTES: number;
  MAINTENANCE_FILE?: string;
  COOKIE_SECURE: boolean;
  VALIDATE_RESPONSES: boolean;
  LOG_REQUESTS: boolean;
  ADMIN_TOKEN?: string;
}

export interface Config {
  port: number;
  host: string;
  phase: 'phase1-mock';
  instanceId: string;
  dataDir: string;
  sessionTtlSeconds: number;
  sessionSweepIntervalSeconds: number;
  /** HS256 key for access tokens. */
  jwtSecret: string;
  /** False when JWT_SECRET was not set and a random key was made for this process. */
  jwtSecretFromEnv: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** 0 turns the limit off (benchmarks). */
  authRateLimitMax: number;
  authRateLimitWindowSeconds: number;
  /** Sign-in attempts per username and window, from any address, before 429 (0: no limit). */
  authUserAttemptsMax: number;
  bodyLimitBytes: number;
  maintenanceFile: string | undefined;
  cookieSecure: boolean;
  validateResponses: boolean;
  logRequests: boolean;
  /** Enables GET /admin/sessions (the live sessions, for the migration to phase 2) for this bearer token. */
  adminToken: string | undefined;
}

/** Parses and validates `env`; throws an error naming the offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = envSchema<RawEnv>({ schema, data: env, dotenv: false });
  return {
    port: raw.PORT,
    host: raw.HOST,
    phase: 'phase1-mock',
    instanceId: raw.INSTANCE_ID,
    dataDir: raw.DATA_DIR,
    sessionTtlSeconds: raw.SESSION_TTL_SECONDS,
    sessionSweepIntervalSeconds: raw.SESSION_SWEEP_INTERVAL_SECONDS,
    // A mockup may invent its key; the price is that its tokens die with the process.
    jwtSecret: raw.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    jwtSecretFromEnv: raw.JWT_SECRET !== undefined,
    accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: raw.REFRESH_TOKEN_TTL_SECONDS,
    authRateLimitMax: raw.AUTH_RATE_LIMIT_MAX,
    authRateLimitWindowSeconds: raw.AUTH_RATE_LIMIT_WINDOW_SECONDS,
    authUserAttemptsMax: raw.AUTH_USER_ATTEMPTS_MAX,
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    maintenanceFile: raw.MAINTENANCE_FILE,
    cookieSecure: raw.COOKIE_SECURE,
    validateResponses: raw.VALIDATE_RESPONSES,
    logRequests: raw.LOG_REQUESTS,
    adminToken: raw.ADMIN_TOKEN,
  };
}
