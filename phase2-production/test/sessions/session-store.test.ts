/** Core's session-store behaviour suite, against phase 2's store on a real Redis. */
import { afterEach } from 'vitest';
import { Redis } from 'ioredis';
import { describeSessionStore } from 'core/test-suites';
import { RedisSessionStore } from '../../src/sessions/session-store.ts';
import { useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
const clients: Redis[] = [];
afterEach(() => { for (const client of clients.splice(0)) client.disconnect(); });

describeSessionStore('RedisSessionStore (Redis)', (ttlSeconds) => {
  const client = new Redis(infra.redis.url);
  clients.push(client);
  return Promise.resolve({ store: new RedisSessionStore(client, { ttlSeconds }), reset: async () => { await client.flushdb(); } });
});
