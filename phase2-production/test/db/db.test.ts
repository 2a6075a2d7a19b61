/**
 * The database layer. The migration step on a real PostgreSQL: a migration that fails leaves the schema as the last
 * good one left it (its transaction rolled back, not recorded), names itself in the error, and is
 * still pending, so the next `npm run migrate` runs it again once fixed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup, startPostgres } from 'harness';
import { createPool, isPostgresUnavailable, type Pool } from '../../src/db/pool.ts';
import { migrate, pendingMigrations } from '../../src/db/migrate.ts';

const cleanup = new Cleanup();
const dir = mkdtempSync(join(tmpdir(), 'lab-migrations-'));
let pool: Pool;

beforeAll(async () => {
  const postgres = await startPostgres(cleanup);
  pool = createPool({ connectionString: postgres.url, max: 2, timeoutMs: 5000, applicationName: 'migrate-test' }, () => undefined);
}, 60_000);
afterAll(async () => {
  await pool.end();
  await cleanup.run();
  rmSync(dir, { recursive: true, force: true });
});

describe('migrate', () => {
  it('stops at a failing migration, keeps what came before, and leaves it pending', async () => {
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE first (id int);');
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE second (id int); SELEC 1;');
    expect(await pendingMigrations(pool, dir)).toEqual(['001_first.sql', '002_broken.sql']);

    await expect(migrate(pool, dir)).rejects.toThrow(/^migration 002_broken\.sql failed: syntax error at or near "SELEC"/);
    const tables = (await pool.query<{ name: string | null }>("SELECT to_regclass('first')::text AS name UNION ALL SELECT to_regclass('second')::text")).rows.map((row) => row.name);
    expect(tables).toEqual(['first', null]);
    expect(await pendingMigrations(pool, dir)).toEqual(['002_broken.sql']);

    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE second (id int);');
    expect(await migrate(pool, dir)).toEqual(['002_broken.sql']);
    expect(await pendingMigrations(pool, dir)).toEqual([]);
  });
});

describe('isPostgresUnavailable', () => {
  it('tells PostgreSQL out of reach (503, retry) from a query of ours that is wrong (500)', () => {
    const withCode = (code: string) => Object.assign(new Error('x'), { code });
    expect(isPostgresUnavailable(withCode('08006'))).toBe(true);
    expect(isPostgresUnavailable(withCode('57P01'))).toBe(true);
    expect(isPostgresUnavailable(withCode('ECONNREFUSED'))).toBe(true);
    expect(isPostgresUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresUnavailable(withCode('42P01'))).toBe(false);
    expect(isPostgresUnavailable(new Error('syntax error'))).toBe(false);
    expect(isPostgresUnavailable('08006')).toBe(false);
  });
});
