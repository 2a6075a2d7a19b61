/**
 * Refresh tokens in PostgreSQL, stored hashed. Rotation is a conditional UPDATE, so of two
 * instances presenting the same token at once exactly one wins; the other sees reuse.
 */
import type { RefreshTokenRecord, RefreshTokenStore } from 'core';
import { guardPostgres, type Pool } from '../db/pool.ts';

interface Row {
  token_hash: string;
  family_id: string;
  username: string;
  display_name: string;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

export class PgRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly pool: Pool) {}

  insert(record: RefreshTokenRecord): Promise<void> {
    return guardPostgres(async () => {
      await this.pool.query('INSERT INTO refresh_tokens (token_hash, family_id, username, expires_at) VALUES ($1, $2, $3, $4)', [
        record.tokenHash,
        record.familyId,
        record.user.username,
        new Date(record.expiresAt),
      ]);
    });
  }

  find(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return guardPostgres(async () => {
      const { rows } = await this.pool.query<Row>(
        // The family's revocation, not only this row's (see RefreshTokenStore.find): a token
        // inserted while its family was being revoked is missed by that UPDATE, not by this.
        `SELECT t.token_hash, t.family_id, t.username, u.display_name, t.expires_at, t.rotated_at,
                COALESCE(t.revoked_at, (SELECT min(f.revoked_at) FROM refresh_tokens f WHERE f.family_id = t.family_id)) AS revoked_at
           FROM refresh_tokens t JOIN users u USING (username) WHERE t.token_hash = $1`,
        [tokenHash],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        tokenHash: row.token_hash,
        familyId: row.family_id,
        user: { username: row.username, displayName: row.display_name },
        expiresAt: row.expires_at.getTime(),
        rotatedAt: row.rotated_at?.getTime() ?? null,
        revokedAt: row.revoked_at?.getTime() ?? null,
      };
    });
  }

  markRotated(tokenHash: string, at: number): Promise<boolean> {
    return guardPostgres(async () => {
      const result = await this.pool.query('UPDATE refresh_tokens SET rotated_at = $2 WHERE token_hash = $1 AND rotated_at IS NULL', [tokenHash, new Date(at)]);
      return result.rowCount === 1;
    });
  }

  revokeFamily(familyId: string, at: number): Promise<number> {
    return guardPostgres(async () => {
      const result = await this.pool.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [familyId, new Date(at)]);
      // An UPDATE always reports its count (pg's rowCount is null only for commands that have none).
      return Number(result.rowCount);
    });
  }
}
