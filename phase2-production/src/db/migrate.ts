/**
 * Plain SQL migrations, applied in file-name order, each in its own transaction, and recorded in
 * schema_migrations. An advisory lock makes concurrent starters (several instances booting at
 * once) take turns, so each migration runs exactly once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Pool } from './pool.ts';
import { messageOf } from 'core';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
// An arbitrary constant naming "this project's migrations" among advisory locks.
const MIGRATION_LOCK = 4_242_001;

export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir).filter((name) => /^\d+_[a-z0-9_]+\.sql$/.test(name)).sort();
}

/** Applies the pending migrations; returns the names applied now. */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
    for (const name of migrationFiles(dir)) {
      if (done.has(name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(join(dir, name), 'utf8'));
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
        applied.push(name);
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${messageOf(error)}`, { cause: error });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/** The migrations the database lacks (empty when the schema is current). */
export async function pendingMigrations(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  const done = exists.rows[0]?.t ? new Set((await pool.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name)) : new Set<string>();
  return migrationFiles(dir).filter((name) => !done.has(name));
}
