/**
 * A streaming replica of a PostgreSQL the harness started: pg_basebackup copies the primary's data
 * directory over the replication protocol (`-X stream`: the WAL written meanwhile comes with it)
 * and writes the standby settings (`-R`: standby.signal and primary_conninfo), then `postgres`
 * runs on it as a hot standby: it replays the primary's WAL as it streams in and answers
 * read-only queries. The primary needs nothing added: initdb's defaults (wal_level replica, ten
 * WAL senders, a pg_hba.conf that trusts replication from 127.0.0.1) allow it.
 * https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION
 */
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { ensurePrograms } from './binaries.ts';
import { serverUser, startPostgresServer, type RunningPostgres } from './postgres.ts';

export async function startPostgresReplica(cleanup: Cleanup, primary: RunningPostgres, options: { name?: string } = {}): Promise<RunningPostgres> {
  const programs = ensurePrograms(['pg_basebackup', 'postgres']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-postgres-replica-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  const dataDir = join(dir, 'data');
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const backup = spawnSync(programs.pg_basebackup, ['-h', '127.0.0.1', '-p', String(primary.port), '-U', primary.user, '-D', dataDir, '-X', 'stream', '-R', '-c', 'fast', '--no-sync'], {
    encoding: 'utf8',
    timeout: 120_000,
    ...(user ?? {}),
  });
  if (backup.status !== 0) throw new Error(`pg_basebackup failed:\n${backup.stdout}\n${backup.stderr}`);

  const port = await freePort();
  const name = options.name ?? 'postgres-replica';
  const settings = ['-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=200', '-c', 'hot_standby=on', '-c', 'fsync=off'];
  const server = await startPostgresServer(cleanup, { name, binary: programs.postgres, dataDir, settings, readyLine: /database system is ready to accept read-only connections/ });
  return { url: `postgres://${primary.user}@127.0.0.1:${port}/${primary.database}`, port, user: primary.user, database: primary.database, ...server };
}
