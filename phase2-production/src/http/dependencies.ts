/**
 * Telling "a dependency is unreachable" (answer 503 and let the client retry) from "our code is
 * wrong" (answer 500 and page someone). Each store wraps its client's calls with these guards.
 */
import { ProblemError } from 'core';

export type Dependency = 'redis' | 'postgres';

export class DependencyUnavailableError extends ProblemError {
  constructor(readonly dependency: Dependency, cause: unknown) {
    super(503, 'DEPENDENCY_UNAVAILABLE', `${dependency === 'redis' ? 'Redis (the session store)' : 'PostgreSQL (the database)'} is unreachable; try again shortly.`, {
      headers: { 'Retry-After': '1' },
    });
    this.cause = cause;
  }
}

// Redis replies that mean "not now" rather than "wrong command": a replica that was a primary
// (READONLY, during a failover), a server loading its data, a primary that lost its replicas.
const REDIS_TRANSIENT_REPLY = /^(READONLY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|BUSY)\b/;

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // ioredis's ReplyError is the server answering: only the transient replies count.
  if (error.name === 'ReplyError') return REDIS_TRANSIENT_REPLY.test(error.message);
  // Everything else is the connection: refused, reset, closed, offline queue off, timed out.
  return true;
}

// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P0x (server
// shutting down or starting), and the node errors of a socket that cannot reach the server.
const PG_UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4])/;
const NODE_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNABORTED']);

export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_UNAVAILABLE_SQLSTATE.test(code) || NODE_NETWORK_ERRORS.has(code))) return true;
  // node-postgres's own client-side failures carry no code.
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection is closed/i.test(error.message);
}

export async function guardRedis<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRedisUnavailable(error)) throw new DependencyUnavailableError('redis', error);
    throw error;
  }
}

export async function guardPostgres<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isPostgresUnavailable(error)) throw new DependencyUnavailableError('postgres', error);
    throw error;
  }
}
