/**
 * A dependency goes away: the operations that need it answer 503 problem+json promptly instead
 * of hanging or crashing, the others keep working, and everything recovers by itself when the
 * dependency is back. Real processes are stopped and started again on the same ports.
 */
import { describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { Phase2App } from '../../src/app.ts';
import { expectProblem, startSession, testApp, useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();

/** Retries until the answer has the status, as a client would; gives up after 15 s. */
async function eventually(built: Phase2App, request: InjectOptions, status: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await built.app.inject(request);
    if (res.statusCode === status) return;
    if (Date.now() > deadline) throw new Error(`still ${res.statusCode} after 15 s: ${res.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Redis stopped', () => {
  it('stateful operations answer 503 DEPENDENCY_UNAVAILABLE; catalog, stateless and token sign-in keep working; all recover', async () => {
    const built = await testApp(infra, { DEPENDENCY_TIMEOUT_MS: '500' });
    const client = await startSession(built);
    const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf };

    await infra.redis.stop();
    for (const request of [
      { method: 'POST' as const, url: '/api/stateful/sessions' },
      { method: 'GET' as const, url: '/api/stateful/counter', headers },
      { method: 'POST' as const, url: '/api/stateful/counter/increment', headers },
      { method: 'GET' as const, url: '/api/stateful/stats' },
    ]) {
      const res = await built.app.inject(request);
      expectProblem(res, 503, 'DEPENDENCY_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('1');
    }
    const ready = await built.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: expect.arrayContaining([expect.objectContaining({ name: 'sessionStore', status: 'fail' })]) as unknown });
    expect((await built.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await built.app.inject({ method: 'GET', url: '/api/products/kb-001' })).statusCode).toBe(200);
    expect((await built.app.inject({ method: 'POST', url: '/api/stateless/counter', payload: { value: 1 } })).json()).toEqual({ value: 2 });
    expect((await built.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'alice', password: 'wonderland' } })).statusCode).toBe(200);
    expect((await built.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);

    await infra.redis.start();
    await eventually(built, { method: 'GET', url: '/health/ready' }, 200);
    // This Redis keeps nothing on disk, so the old session is gone; new ones work.
    expect((await built.app.inject({ method: 'POST', url: '/api/stateful/sessions' })).statusCode).toBe(201);
  });
});

describe('PostgreSQL stopped', () => {
  it('the catalog and sign-in answer 503; sessions keep working; all recover', async () => {
    const built = await testApp(infra, { DEPENDENCY_TIMEOUT_MS: '500' });
    const client = await startSession(built);
    const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf };

    await infra.postgres.stop();
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/products' }), 503, 'DEPENDENCY_UNAVAILABLE');
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/products/kb-001' }), 503, 'DEPENDENCY_UNAVAILABLE');
    expectProblem(await built.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'alice', password: 'wonderland' } }), 503, 'DEPENDENCY_UNAVAILABLE');
    // The session itself lives in Redis.
    expect((await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers })).json()).toEqual({ value: 1 });
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/sessions/current', headers })).statusCode).toBe(200);
    expect((await built.app.inject({ method: 'POST', url: '/api/stateful/sessions' })).statusCode).toBe(201);
    expect((await built.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);

    await infra.postgres.start();
    await eventually(built, { method: 'GET', url: '/api/products/kb-001' }, 200);
    expect((await built.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    // The audit events of sessions started during the outage were kept and written afterwards.
    await built.audit.flush();
    expect(built.audit.pending).toBe(0);
    const { rows } = await built.pool.query<{ n: string }>("SELECT count(*) AS n FROM session_events WHERE event = 'created'");
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(2);
  });
});

describe('a Redis client that stops reconnecting', () => {
  it('is connected again, so the instance serves sessions again instead of staying broken', async () => {
    const built = await testApp(infra);
    const client = await startSession(built);
    // What ioredis does when it gives up: the client ends, and would fail every command from then on.
    built.redis.disconnect(false);
    let status = 0;
    for (let attempt = 0; attempt < 300 && status !== 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } })).statusCode;
    }
    expect(status).toBe(200);
    expect(built.redis.status).toBe('ready');
  });
});
