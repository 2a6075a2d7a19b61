/**
 * The peers as the benchmark runs them, on a real Redis: express-session and @fastify/session with
 * connect-redis answer the stateful column's requests, and lose concurrent increments of one
 * session, which is what the report measures them for. (The phases' own rows come from the smoke
 * run of `npm start` in runner/test/start.test.ts.)
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup, startProcess, startRedis } from 'harness';
import { lostUpdates, sessionStoreUrl } from '../src/scenarios/peers.ts';
import type { Environment } from '../src/environment.ts';
import { session } from '../src/environment.ts';

const cleanup = new Cleanup();
const peers: { name: string; url: string }[] = [];

beforeAll(async () => {
  const redis = await startRedis(cleanup);
  for (const [name, file] of [['express-session', 'express-session.ts'], ['@fastify/session', 'fastify-session.ts']] as const) {
    const { process: child, match } = await startProcess({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', fileURLToPath(new URL(`../src/targets/${file}`, import.meta.url))],
      env: { ...process.env, REDIS_URL: redis.url },
      readyLine: /listening on (http:\/\/[\d.]+:\d+)/,
    });
    cleanup.add(`stop ${name}`, () => child.stop());
    peers.push({ name, url: match?.[1] ?? '' });
  }
});
afterAll(() => cleanup.run());

describe.each(['express-session', '@fastify/session'])('the %s peer', (name) => {
  const peer = () => {
    const found = peers.find((p) => p.name === name);
    if (!found) throw new Error(`${name} did not start`);
    return found;
  };

  it('keeps a session in Redis across requests, and forgets it at logout', async () => {
    const { url } = peer();
    const s = await session(url);
    const headers = { cookie: s.cookie };
    expect(await (await fetch(`${url}/api/stateful/counter/increment`, { method: 'POST', headers })).json()).toEqual({ value: 1 });
    expect(await (await fetch(`${url}/api/stateful/counter`, { headers })).json()).toEqual({ value: 1 });
    expect((await fetch(`${url}/api/stateful/sessions/current`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await fetch(`${url}/api/stateful/counter`, { headers })).status).toBe(401);
    expect((await fetch(`${url}/api/stateful/counter/increment`, { method: 'POST', headers })).status).toBe(401);
  });

  it('loses concurrent increments of one session (read, change, write the whole session back)', async () => {
    const { acknowledged, finalValue } = await lostUpdates(peer().url, { connections: 10, pipelining: 1, warmupSeconds: 0, roundSeconds: 1, rounds: 1 }, 1);
    expect(acknowledged).toBeGreaterThan(10);
    expect(finalValue).toBeGreaterThan(0);
    expect(finalValue).toBeLessThan(acknowledged);
  });
});

describe('where the peers keep their sessions', () => {
  const stack = (redis: { url: string } | null, primaryPort: number | null) => ({
    topology: { stack: { redis, redisHa: redis ? null : { currentPrimary: () => Promise.resolve(primaryPort === null ? undefined : { port: primaryPort }) } } },
  }) as unknown as Pick<Environment, 'topology'>;

  it('is phase 2\'s Redis: its one server, or the primary the Sentinels name, and never a guess', async () => {
    expect(await sessionStoreUrl(stack({ url: 'redis://127.0.0.1:6390' }, null))).toBe('redis://127.0.0.1:6390');
    expect(await sessionStoreUrl(stack(null, 6391))).toBe('redis://127.0.0.1:6391');
    await expect(sessionStoreUrl(stack(null, null))).rejects.toThrow('the Sentinels name none');
  });
});
