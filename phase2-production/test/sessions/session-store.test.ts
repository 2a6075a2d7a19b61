/** Core's session-store behaviour suite, against phase 2's store on a real Redis. */
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { describeSessionStore } from 'core/test-suites';
import type { Session } from 'core';
import { RedisSessionStore } from '../../src/sessions/session-store.ts';
import { importSessions } from '../../src/migration.ts';
import { useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
const clients: Redis[] = [];
afterEach(() => { for (const client of clients.splice(0)) client.disconnect(); });

describeSessionStore('RedisSessionStore (Redis)', (ttlSeconds) => {
  const client = new Redis(infra.redis.url);
  // The phase a session is handed to has a Redis of its own: here, another database.
  const otherClient = new Redis(infra.redis.url, { db: 2 });
  clients.push(client, otherClient);
  return Promise.resolve({
    store: new RedisSessionStore(client, { ttlSeconds }),
    other: new RedisSessionStore(otherClient, { ttlSeconds }),
    reset: async () => { await Promise.all([client.flushdb(), otherClient.flushdb()]); },
  });
});

describe('importSessions, the migration\'s move of phase 1\'s live sessions', () => {
  it('moves what is still live with its remaining lifetime, and counts what expired meanwhile without writing it', async () => {
    const client = new Redis(infra.redis.url);
    clients.push(client);
    const store = new RedisSessionStore(client, { ttlSeconds: 300 });
    const now = Date.now();
    const session = (id: string, expiresAt: number): Session => ({ id, user: null, csrfToken: `csrf-${id}`, counter: 7, cart: { 'kb-001': 2 }, createdAt: now - 1000, expiresAt });
    const live = session(`live-${String(now)}`, now + 60_000);
    const expired = session(`expired-${String(now)}`, now - 1);
    expect(await importSessions(store, [live, expired], null, now)).toEqual({ moved: 1, expired: 1 });
    expect(await store.touch(live.id)).toMatchObject({ counter: 7, cart: { 'kb-001': 2 }, csrfToken: live.csrfToken });
    expect(await store.touch(expired.id)).toBeNull();
  });
});
