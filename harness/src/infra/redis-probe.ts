/**
 * The one way the harness and the benchmarks look at a Redis node or Sentinel they may be breaking
 * on purpose. Each question gets a connection of its own with no reconnection, and whatever stops
 * the answer (refused, reset, closed mid-command, timed out) is an observation, null, never an
 * error: a Sentinel reconfiguring a node closes its clients' connections (CLIENT KILL TYPE normal),
 * and a command awaited on such a connection rejects with ioredis's "Connection is closed.", which
 * once ended `npm start` in the failover scenario.
 */
import { Redis } from 'ioredis';
import { sleep } from '../observation.ts';

/** Asks one node something on a connection of its own; null when it could not answer. */
export async function askRedis<T>(port: number, ask: (redis: Redis) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T | null> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, commandTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => { /* the question's answer is null */ });
  try {
    await redis.connect();
    return await ask(redis);
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Asks until an answer comes, and throws after `timeoutMs` without one: for a figure of a node that should be up. */
export async function askRedisUntilAnswered<T>(port: number, ask: (redis: Redis) => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await askRedis(port, ask);
    if (answer !== null) return answer;
    if (performance.now() > deadline) throw new Error(`Redis on port ${port} did not answer within ${timeoutMs} ms`);
    await sleep(200);
  }
}
