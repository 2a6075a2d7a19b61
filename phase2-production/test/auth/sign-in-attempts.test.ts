/**
 * Core's sign-in-attempts suites against phase 2: its Redis store on a real Redis, the limit
 * through its HTTP stack from many client addresses, and the in-memory count it falls back to
 * while Redis is unreachable (decision 10).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { describeSignInAttempts, describeUserSignInLimit } from 'core/test-suites';
import { freePort } from 'harness';
import { RedisSignInAttempts } from '../../src/auth/sign-in-attempts.ts';
import { testApp, useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
const clients: Redis[] = [];
afterAll(() => { for (const client of clients) client.disconnect(); });

function redisClient(url: string): Redis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

describeSignInAttempts('RedisSignInAttempts (Redis)', async (max, windowSeconds) => {
  const client = redisClient(infra.redis.url);
  await client.ping().catch(async () => { await new Promise((resolve) => client.once('ready', resolve)); });
  return new RedisSignInAttempts(client, max, windowSeconds, (error) => { throw error; });
});

describeUserSignInLimit('phase 2', async () => {
  const built = await testApp(infra, { AUTH_USER_ATTEMPTS_MAX: '3' });
  // The usernames are new to the store at each test's start: no counts, no known clients.
  const stale = await built.limitsRedis.keys('signin:*');
  if (stale.length > 0) await built.limitsRedis.del(...stale);
  return async (operation, client, username, password) => {
    const url = operation === 'issueTokens' ? '/api/auth/tokens' : '/api/stateful/sessions';
    // Each client from its own address, so the per-address limit never decides.
    const res = await built.app.inject({ method: 'POST', url, remoteAddress: `203.0.113.${String(client)}`, payload: { username, password } });
    return { status: res.statusCode, code: res.statusCode >= 400 ? res.json<{ code: string }>().code : undefined, retryAfter: res.headers['retry-after'] };
  };
});

describe('with Redis unreachable', () => {
  it('counts in the instance\'s memory: the limit still holds, and the fallback is reported', async () => {
    const port = await freePort();
    const unreachable = redisClient(`redis://127.0.0.1:${String(port)}/0`);
    const reported: unknown[] = [];
    const attempts = new RedisSignInAttempts(unreachable, 2, 60, (error) => { reported.push(error); });
    expect([await attempts.attempt('alice', '198.51.100.1'), await attempts.attempt('alice', '198.51.100.2')]).toEqual([0, 0]);
    expect(await attempts.attempt('alice', '198.51.100.3')).toBeGreaterThan(0);
    expect(reported.length).toBeGreaterThanOrEqual(3);
    // A client that signs in is known in memory too: its own budget, whatever the others spent.
    await attempts.succeeded('alice', '198.51.100.4');
    expect(await attempts.attempt('alice', '198.51.100.4')).toBe(0);
    expect(await attempts.attempt('alice', '198.51.100.5')).toBeGreaterThan(0);
  });
});
