/** Users in PostgreSQL. */
import type { UserDirectory, UserRecord } from 'core';
import { guardPostgres, type Pool } from '../db/pool.ts';

export class PgUserDirectory implements UserDirectory {
  constructor(private readonly pool: Pool) {}

  find(username: string): Promise<UserRecord | null> {
    return guardPostgres(async () => {
      const { rows } = await this.pool.query<{ username: string; display_name: string; password_hash: string }>(
        'SELECT username, display_name, password_hash FROM users WHERE username = $1',
        [username],
      );
      const row = rows[0];
      return row ? { username: row.username, displayName: row.display_name, passwordHash: row.password_hash } : null;
    });
  }
}
