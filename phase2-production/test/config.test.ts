/**
 * Phase 2's configuration: production refuses to start without what it cannot invent, reads the
 * Redis topology it is given, and tells the proxy it trusts. Also which Redis errors mean "not
 * now" (503, retry) rather than "this command is wrong" (500).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { isRedisUnavailable } from '../src/redis.ts';

const base = { DATABASE_URL: 'postgres://lab@127.0.0.1:5432/lab', JWT_SECRET: 's'.repeat(32), REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig', () => {
  it('refuses to start without a database, a signing key of 32 characters, or a Redis', () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: undefined })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...base, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ...base, REDIS_URL: undefined })).toThrow(/REDIS_URL \(one Redis\), REDIS_SENTINELS .* or REDIS_CLUSTER_NODES/);
  });

  it('reads one Redis, the Sentinels and the name of the primary they watch, or some nodes of a cluster (Sentinels first, then the cluster)', () => {
    expect(loadConfig(base).redis).toEqual({ kind: 'url', url: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ ...base, REDIS_SENTINELS: 's1:26379,s2:26380', REDIS_MASTER_NAME: 'lab-primary' }).redis).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }],
      masterName: 'lab-primary',
    });
    expect(() => loadConfig({ ...base, REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINELS/);
    expect(loadConfig({ ...base, REDIS_CLUSTER_NODES: 'r1:7000,r2:7001' }).redis).toEqual({ kind: 'cluster', nodes: [{ host: 'r1', port: 7000 }, { host: 'r2', port: 7001 }] });
    expect(loadConfig({ ...base, REDIS_URL: undefined, REDIS_CLUSTER_NODES: 'r1:7000' }).redis.kind).toBe('cluster');
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'r1:7000,' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('trusts every proxy, none, or the ones named', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '172.28.0.10' }).trustProxy).toBe('172.28.0.10');
    expect(loadConfig(base).trustProxy).toBe('loopback');
  });

  it('shares the settings phase 1 reads the same way, with the same defaults', () => {
    expect(loadConfig(base)).toMatchObject({ host: '127.0.0.1', sessionTtlSeconds: 300, authRateLimitMax: 20, bodyLimitBytes: 16384, cookieSecure: false, maintenanceFile: undefined });
    expect(loadConfig({ ...base, COOKIE_SECURE: 'true', BODY_LIMIT_BYTES: '1024' })).toMatchObject({ cookieSecure: true, bodyLimitBytes: 1024 });
  });
});

/** What ioredis throws when the server answers with an error: its ReplyError, told by its name. */
const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('isRedisUnavailable', () => {
  it('counts the connection failing and Redis\'s "not now" replies, not a wrong command', () => {
    expect(isRedisUnavailable(new Error('Connection is closed.'))).toBe(true);
    for (const reply of ['READONLY You can\'t write against a read only replica.', 'LOADING Redis is loading the dataset in memory', 'NOREPLICAS Not enough good replicas to write.']) {
      expect(isRedisUnavailable(replyError(reply)), reply).toBe(true);
    }
    expect(isRedisUnavailable(replyError('ERR wrong number of arguments for \'hset\' command'))).toBe(false);
    expect(isRedisUnavailable('not an error')).toBe(false);
  });
});
