/**
 * The one PostgreSQL pool of the process (node-postgres). Timeouts keep a request from waiting on
 * a database that is down or stuck: a connection attempt, a statement on the server, and a query
 * on the client side (which also covers a server that stopped answering) are each bounded by the
 * dependency timeout. An idle client whose server went away emits 'error' on the pool; without a
 * listener that would crash the process.
 * https://node-postgres.com/apis/pool
 */
import pg from 'pg';

export type Pool = pg.Pool;

export function createPool(options: { connectionString: string; max: number; timeoutMs: number; applicationName: string }, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.timeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.timeoutMs,
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
