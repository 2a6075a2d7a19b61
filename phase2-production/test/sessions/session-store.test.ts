/** Core's session-store behaviour suite, against phase 2's store on a real Redis and on a real Redis Cluster. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { Cleanup, startRedisCluster, type RunningRedisCluster } from 'harness';
import { describeSessionStore } from 'core/test-suites';
import type { Session } from 'core';
import { RedisSessionStore } from '../../src/sessions/session-store.ts';
import { importSessions } from '../../src/migration.ts';
import { useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
const clients: (Redis | Cluster)[] = [];
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

// Three primaries without replicas: the scripts' keys must stay on one slot, which a single Redis
// never checks and a cluster refuses (CROSSSLOT). The cluster's failovers are harness/test/cluster.test.ts's.
const clusterCleanup = new Cleanup();
let cluster: RunningRedisCluster;
beforeAll(async () => { cluster = await startRedisCluster(clusterCleanup, { primaries: 3, replicasPerPrimary: 0 }); }, 120_000);
afterAll(() => clusterCleanup.run());

describeSessionStore('RedisSessionStore (Redis Cluster)', (ttlSeconds) => {
  const client = new Cluster(cluster.nodeList.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
  // The phase a session is handed to: a Redis of its own.
  const otherClient = new Redis(infra.redis.url, { db: 3 });
  clients.push(client, otherClient);
  return Promise.resolve({
    store: new RedisSessionStore(client, { ttlSeconds }),
    other: new RedisSessionStore(otherClient, { ttlSeconds }),
    reset: async () => {
      await client.ping();
      await Promise.all([...client.nodes('master').map((node) => node.flushdb()), otherClient.flushdb()]);
    },
  });
});

describe('RedisSessionStore on a Redis Cluster', () => {
  it('spreads sessions over every shard, and counts them all, leaving out the rate limits\' slot', async () => {
    const client = new Cluster(cluster.nodeList.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
    clients.push(client);
    await client.ping();
    await Promise.all(client.nodes('master').map((node) => node.flushdb()));
    const store = new RedisSessionStore(client, { ttlSeconds: 300 });
    for (let i = 0; i < 60; i += 1) await store.create(null);
    await client.set('rl:{limits}:some-route:127.0.0.1', '1');
    const perShard = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    expect(perShard).toHaveLength(3);
    for (const keys of perShard) expect(keys).toBeGreaterThan(0);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(61);
    expect(await store.countLive()).toBe(60);
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
