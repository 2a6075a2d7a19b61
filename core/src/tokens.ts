/**
 * The stateless column's credentials. An access token is a JWT (jose, HS256): any instance that
 * knows the key verifies it from its own claims, with no lookup. A refresh token is an opaque
 * random string, stored (hashed) so that it can be rotated on use and revoked: reusing a rotated
 * one means it was copied, so its whole family, every token since that sign-in, is revoked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { SessionUser } from './sessions.ts';

const ISSUER = 'stateless-vs-stateful-lab';
const AUDIENCE = 'lab-api';

export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  user: SessionUser;
  expiresAt: number;
  /** When it was exchanged for a new one; a second exchange is reuse. */
  rotatedAt: number | null;
  revokedAt: number | null;
}

/** Where refresh tokens are kept: a Map in phase 1, a PostgreSQL table in phase 2. */
export interface RefreshTokenStore {
  insert(record: RefreshTokenRecord): Promise<void>;
  /**
   * The token's record, its `revokedAt` set when the token or any token of its family was
   * revoked. Revocation is the family's, not only the rows it touched: the same token presented
   * twice at once rotates once and is reused once, and the family's revocation can run before the
   * winner's new token is stored; that token must be dead too.
   */
  find(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Marks the token rotated if it was not yet; false if someone else rotated it first. */
  markRotated(tokenHash: string, at: number): Promise<boolean>;
  revokeFamily(familyId: string, at: number): Promise<number>;
}

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface AccessClaims {
  user: SessionUser;
  issuedAt: Date;
  expiresAt: Date;
}

export type RefreshOutcome = { ok: true; tokens: TokenPair } | { ok: false; reason: 'invalid' | 'reused' };

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface TokenServiceOptions {
  secret: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  store: RefreshTokenStore;
  now?: () => number;
}

export class TokenService {
  readonly #key: Uint8Array;
  readonly #options: TokenServiceOptions;
  readonly #now: () => number;

  constructor(options: TokenServiceOptions) {
    this.#key = new TextEncoder().encode(options.secret);
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Tokens for a fresh sign-in: a new refresh-token family. */
  issue(user: SessionUser): Promise<TokenPair> {
    return this.#issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    const now = this.#now();
    const record = await this.#options.store.find(hashRefreshToken(refreshToken));
    if (!record || record.revokedAt !== null || record.expiresAt <= now) return { ok: false, reason: 'invalid' };
    const firstUse = record.rotatedAt === null && (await this.#options.store.markRotated(record.tokenHash, now));
    if (!firstUse) {
      await this.#options.store.revokeFamily(record.familyId, now);
      return { ok: false, reason: 'reused' };
    }
    return { ok: true, tokens: await this.#issue(record.user, record.familyId) };
  }

  /** The claims of a valid access token, or null for anything else (malformed, forged, expired). */
  async verify(accessToken: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(accessToken, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.#now()),
      });
      if (typeof payload.sub !== 'string' || typeof payload.name !== 'string' || payload.iat === undefined || payload.exp === undefined) return null;
      return {
        user: { username: payload.sub, displayName: payload.name },
        issuedAt: new Date(payload.iat * 1000),
        expiresAt: new Date(payload.exp * 1000),
      };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }

  async #issue(user: SessionUser, familyId: string): Promise<TokenPair> {
    const nowSeconds = Math.floor(this.#now() / 1000);
    const accessToken = await new SignJWT({ name: user.displayName })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.username)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + this.#options.accessTtlSeconds)
      .setJti(randomUUID())
      .sign(this.#key);
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await this.#options.store.insert({
      tokenHash: hashRefreshToken(refreshToken),
      familyId,
      user,
      expiresAt: this.#now() + this.#options.refreshTtlSeconds * 1000,
      rotatedAt: null,
      revokedAt: null,
    });
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.#options.accessTtlSeconds,
      refreshToken,
      refreshExpiresIn: this.#options.refreshTtlSeconds,
    };
  }
}
