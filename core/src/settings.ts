/**
 * The settings both phases read the same way: their JSON Schema (for env-schema, which each phase's
 * src/config.ts runs over the environment) and their typed form. Each phase adds what is its own:
 * phase 1 its data files and sweep, phase 2 its stores, proxy and shutdown; and each decides what
 * a missing JWT_SECRET means (a mockup invents one, production refuses to start).
 */
export const SHARED_SETTINGS = {
  HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
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
  ADMIN_TOKEN: { type: 'string', minLength: 16 },
  // Comma-separated base URLs of the other phase, during the cutover only.
  HANDOVER_PEERS: { type: 'string', pattern: '^https?://[^,\\s]+(,https?://[^,\\s]+)*$' },
  HANDOVER_TIMEOUT_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 2000 },
} as const;

/** The shared settings as env-schema returns them (defaults applied, types coerced). */
export interface SharedRawEnv {
  HOST: string;
  SESSION_TTL_SECONDS: number;
  JWT_SECRET?: string;
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_SECONDS: number;
  AUTH_RATE_LIMIT_MAX: number;
  AUTH_RATE_LIMIT_WINDOW_SECONDS: number;
  AUTH_USER_ATTEMPTS_MAX: number;
  BODY_LIMIT_BYTES: number;
  MAINTENANCE_FILE?: string;
  COOKIE_SECURE: boolean;
  ADMIN_TOKEN?: string;
  HANDOVER_PEERS?: string;
  HANDOVER_TIMEOUT_MS: number;
}

export interface SharedSettings {
  host: string;
  sessionTtlSeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Sign-in requests per client address and window, per operation (0 turns the limit off: benchmarks). */
  authRateLimitMax: number;
  authRateLimitWindowSeconds: number;
  /** Sign-in attempts per username and window, from any address, before 429 (0: no limit). */
  authUserAttemptsMax: number;
  bodyLimitBytes: number;
  /** Creating this file puts the process in maintenance: every operation answers 503. */
  maintenanceFile: string | undefined;
  /** Mark the session cookie Secure even on a plain-HTTP request. */
  cookieSecure: boolean;
  /** Enables the admin endpoints (the session export, the handover) for this bearer token. */
  adminToken: string | undefined;
  /**
   * During the cutover (docs/decisions/0011-…): the other phase's addresses, asked for the sessions
   * this one does not hold, with the admin token both phases share; null otherwise.
   */
  handover: { peers: string[]; adminToken: string; timeoutMs: number } | null;
}

export function sharedSettings(raw: SharedRawEnv): SharedSettings {
  return {
    host: raw.HOST,
    sessionTtlSeconds: raw.SESSION_TTL_SECONDS,
    accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: raw.REFRESH_TOKEN_TTL_SECONDS,
    authRateLimitMax: raw.AUTH_RATE_LIMIT_MAX,
    authRateLimitWindowSeconds: raw.AUTH_RATE_LIMIT_WINDOW_SECONDS,
    authUserAttemptsMax: raw.AUTH_USER_ATTEMPTS_MAX,
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    maintenanceFile: raw.MAINTENANCE_FILE,
    cookieSecure: raw.COOKIE_SECURE,
    adminToken: raw.ADMIN_TOKEN,
    handover: handoverSettings(raw),
  };
}

function handoverSettings(raw: SharedRawEnv): SharedSettings['handover'] {
  if (raw.HANDOVER_PEERS === undefined) return null;
  if (raw.ADMIN_TOKEN === undefined) throw new Error('HANDOVER_PEERS needs ADMIN_TOKEN: the phases call each other with the admin token they share');
  return { peers: raw.HANDOVER_PEERS.split(','), adminToken: raw.ADMIN_TOKEN, timeoutMs: raw.HANDOVER_TIMEOUT_MS };
}
