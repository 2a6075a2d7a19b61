/**
 * PgBouncer in front of a PostgreSQL the harness started, in transaction mode: a client holds a
 * server connection only for the length of a transaction, so many instances' pools share a few
 * server connections. https://www.pgbouncer.org/config.html
 *
 * What transaction mode takes away is what phase 2 does not use on its pool: session state (SET,
 * session advisory locks, LISTEN, named prepared statements). Migrations take a session advisory
 * lock, so they run against PostgreSQL itself, as a deployment step would. node-postgres sends
 * statement_timeout as a startup parameter, which PgBouncer refuses; with DATABASE_POOLER set
 * phase 2 leaves it out, and the database entry below sets it on every server connection instead
 * (connect_query: the same value on each, so the statement that inherits it does not matter).
 */
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';
import { startRestartable } from './restartable.ts';
import { serverUser, type RunningPostgres } from './postgres.ts';

export interface RunningPgBouncer {
  url: string;
  port: number;
  process(): ManagedProcess | null;
  stop(): Promise<void>;
  /** Starts it again on the same port, with its files. */
  start(): Promise<unknown>;
}

/** The settings it runs with, as pgbouncer.ini has them (compose and Kubernetes would mount the same). */
export function pgBouncerIni(options: { port: number; postgresPort: number; database: string; statementTimeoutMs: number; dir: string }): string {
  return [
    '[databases]',
    `${options.database} = host=127.0.0.1 port=${options.postgresPort} dbname=${options.database} connect_query='SET statement_timeout = ${options.statementTimeoutMs}'`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${options.port}`,
    `unix_socket_dir = ${options.dir}`,
    // Trust, as the harness's PostgreSQL does; the user must still be listed.
    'auth_type = trust',
    `auth_file = ${join(options.dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    // Up to 1,000 clients (every instance's whole pool) on at most 20 server connections.
    'max_client_conn = 1000',
    'default_pool_size = 20',
    // A server that does not answer a connection in time fails the client's query rather than
    // holding it: the app answers 503 within its own dependency timeout.
    'server_connect_timeout = 2',
    'query_wait_timeout = 5',
    'server_login_retry = 1',
    'log_connections = 0',
    'log_disconnections = 0',
    '',
  ].join('\n');
}

export async function startPgBouncer(cleanup: Cleanup, postgres: RunningPostgres, options: { statementTimeoutMs?: number; name?: string } = {}): Promise<RunningPgBouncer> {
  const { pgbouncer: binary } = ensurePrograms(['pgbouncer']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-pgbouncer-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  const port = await freePort();
  const configFile = join(dir, 'pgbouncer.ini');
  writeFileSync(configFile, pgBouncerIni({ port, postgresPort: postgres.port, database: postgres.database, statementTimeoutMs: options.statementTimeoutMs ?? 1000, dir }));
  writeFileSync(join(dir, 'userlist.txt'), `"${postgres.user}" ""\n`);
  // PgBouncer refuses to run as root, as PostgreSQL does.
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const name = options.name ?? 'pgbouncer';
  const server = await startRestartable(cleanup, name, async () => (await startProcess({
    name,
    command: binary,
    args: [configFile],
    cwd: dir,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    readyLine: /process up: PgBouncer/,
  })).process);
  return { url: `postgres://${postgres.user}@127.0.0.1:${port}/${postgres.database}`, port, ...server };
}
