/**
 * Configuration: read from the environment once, validated against a JSON schema, and handed to
 * everything else as a typed object. Nothing else reads process.env.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { envSchema } from 'env-schema';
import { SHARED_SETTINGS, sharedSettings, type SharedRawEnv, type SharedSettings } from 'core';

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3001 },
    INSTANCE_ID: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', default: 'mock-1' },
    DATA_DIR: { type: 'string', minLength: 1, default: fileURLToPath(new URL('../data', import.meta.url)) },
    SESSION_SWEEP_INTERVAL_SECONDS: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
    ...SHARED_SETTINGS,
    VALIDATE_RESPONSES: { type: 'boolean', default: false },
    LOG_REQUESTS: { type: 'boolean', default: false },
  },
  required: [],
  additionalProperties: true,
} as const;

interface RawEnv extends SharedRawEnv {
  PORT: number;
  INSTANCE_ID: string;
  DATA_DIR: string;
  SESSION_SWEEP_INTERVAL_SECONDS: number;
  VALIDATE_RESPONSES: boolean;
  LOG_REQUESTS: boolean;
}

export interface Config extends SharedSettings {
  port: number;
  phase: 'phase1-mock';
  instanceId: string;
  dataDir: string;
  sessionSweepIntervalSeconds: number;
  /** HS256 key for access tokens. */
  jwtSecret: string;
  /** False when JWT_SECRET was not set and a random key was made for this process. */
  jwtSecretFromEnv: boolean;
  validateResponses: boolean;
  logRequests: boolean;
}

/** Parses and validates `env`; throws an error naming the offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = envSchema<RawEnv>({ schema, data: env, dotenv: false });
  return {
    ...sharedSettings(raw),
    port: raw.PORT,
    phase: 'phase1-mock',
    instanceId: raw.INSTANCE_ID,
    dataDir: raw.DATA_DIR,
    sessionSweepIntervalSeconds: raw.SESSION_SWEEP_INTERVAL_SECONDS,
    // A mockup may invent its key; the price is that its tokens die with the process.
    jwtSecret: raw.JWT_SECRET ?? randomBytes(32).toString('base64url'),
    jwtSecretFromEnv: raw.JWT_SECRET !== undefined,
    validateResponses: raw.VALIDATE_RESPONSES,
    logRequests: raw.LOG_REQUESTS,
  };
}
