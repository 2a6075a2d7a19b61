/**
 * A private PostgreSQL server: initdb into a temp dir, then `postgres` on a free port, with a
 * Unix socket in that dir too. PostgreSQL refuses to run as root, so as root both run as the
 * `postgres` system user (Debian's package creates it) or, failing that, `nobody`.
 *
 * The cluster is throwaway: fsync is off unless `durable` is asked for, which makes tests fast and
 * is only sound because nothing here must survive a power cut.
 */
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';
import { startRestartable, type Restartable } from './restartable.ts';

export interface RunningPostgres {
  url: string;
  port: number;
  /** The superuser and the database the app uses. */
  user: string;
  database: string;
  process(): ManagedProcess | null;
  stop(): Promise<void>;
  /** Starts it again on the same port, with its files. */
  start(): Promise<unknown>;
}

const DATABASE = 'lab';
const SUPERUSER = 'lab';

/** The uid and gid to run PostgreSQL (and PgBouncer, which refuses root too) as: ours, unless we are root. */
export function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((fields) => fields[0] === 'postgres') ?? passwd.find((fields) => fields[0] === 'nobody');
  if (!entry) throw new Error('running as root and there is neither a postgres nor a nobody user to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** `postgres` on a data directory, as the server user (serverUser), restartable on the same settings. */
export function startPostgresServer(cleanup: Cleanup, options: { name: string; binary: string; dataDir: string; settings: string[]; readyLine: RegExp }): Promise<Restartable> {
  const user = serverUser();
  return startRestartable(cleanup, options.name, async () => (await startProcess({
    name: options.name,
    command: options.binary,
    args: ['-D', options.dataDir, ...options.settings],
    cwd: dirname(options.dataDir),
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    readyLine: options.readyLine,
    // SIGINT is PostgreSQL's "fast" shutdown: it ends client sessions instead of waiting for them.
    stopSignal: 'SIGINT',
  })).process);
}

export async function startPostgres(cleanup: Cleanup, options: { durable?: boolean; name?: string } = {}): Promise<RunningPostgres> {
  const existing = process.env.DATABASE_URL;
  if (existing) {
    const external = new URL(existing);
    return { url: existing, port: Number(external.port || 5432), user: decodeURIComponent(external.username), database: external.pathname.slice(1), process: () => null, stop: () => Promise.reject(new Error('DATABASE_URL is external: the harness does not stop it')), start: () => Promise.resolve() };
  }
  const programs = ensurePrograms(['initdb', 'postgres']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-postgres-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  const dataDir = join(dir, 'data');
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);

  const init = spawnSync(programs.initdb, ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8',
    ...(user ?? {}),
  });
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);

  const port = await freePort();
  const name = options.name ?? 'postgres';
  const settings = ['-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=200'];
  if (!options.durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server = await startPostgresServer(cleanup, { name, binary: programs.postgres, dataDir, settings, readyLine: /database system is ready to accept connections/ });

  // The database the app uses, created through the superuser's default database.
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  return { url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${DATABASE}`, port, user: SUPERUSER, database: DATABASE, ...server };
}
