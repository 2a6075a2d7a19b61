/**
 * The one PostgreSQL pool of the process (node-postgres). Timeouts keep a request from waiting on
 * a database that is down or stuck: a connection attempt, a statement on the server, and a query
 * on the client side (which also covers a server that stopped answering) are each bounded by the
 * dependency timeout. An idle client whose server went away emits 'error' on the pool; without a
 * listener that would crash the process.
 * https://node-postgres.com/apis/pool
 */
import pg from 'pg';
import { guardDependency } from 'core';

export type Pool = pg.Pool;

/**
 * `pooler`: through PgBouncer in transaction mode, which refuses statement_timeout as a startup
 * parameter: the server-side bound is then PgBouncer's to set on its server connections (the
 * harness's pgbouncer.ini does), and the client-side query timeout still holds.
 */
export function createPool(options: { connectionString: string; max: number; timeoutMs: number; applicationName: string; pooler?: 'none' | 'pgbouncer-transaction' }, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    ...(options.pooler === 'pgbouncer-transaction' ? {} : { statement_timeout: options.timeoutMs }),
    query_timeout: options.timeoutMs,
    application_name: options.applicationName,
  });
  pool.on('error', onError);
  return pool;
}

/** Runs `work` in a transaction on one checked-out client; rolls back on any error. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P0x (server
// shutting down or starting), and the node errors of a socket that cannot reach the server.
const PG_UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4])/;
const NODE_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNABORTED']);

/** Telling "PostgreSQL is unreachable" (503, the client retries) from "our query is wrong" (500). */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_UNAVAILABLE_SQLSTATE.test(code) || NODE_NETWORK_ERRORS.has(code))) return true;
  // node-postgres's own client-side failures carry no code.
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection is closed/i.test(error.message);
}

/** Runs a query; an unreachable PostgreSQL becomes core's DependencyUnavailableError. */
export function guardPostgres<T>(call: () => Promise<T>): Promise<T> {
  return guardDependency(call, isPostgresUnavailable, 'postgres', 'PostgreSQL (the database)');
}
