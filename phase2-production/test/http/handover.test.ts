/**
 * The cutover's handover over HTTP (core's handover.ts, docs/decisions/0011-…), between two phase
 * 2 apps, each on a Redis of its own: one listens and holds a session, the other takes it over on
 * the first request that carries its cookie. Phase 1's twin runs the same between two Maps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from 'harness';
import type { Phase2App } from '../../src/app.ts';
import { expectProblem, startSession, testApp, useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
const ADMIN_TOKEN = 'an-admin-token-of-some-length';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
let otherRedis: RunningRedis;
beforeAll(async () => { otherRedis = await startRedis(infra.cleanup); });

/** The holder: a phase 2 app listening on a port of its own (closed with the test's apps). */
async function holder(): Promise<{ built: Phase2App; url: string }> {
  const built = await testApp(infra, { ADMIN_TOKEN });
  const url = await built.app.listen({ port: 0, host: '127.0.0.1' });
  return { built, url };
}

describe('the handover endpoints', () => {
  it('want the admin token and a session id in the body, and freeze a leased session', async () => {
    const { built } = await holder();
    const post = (url: string, payload: unknown, headers: Record<string, string> = admin) => built.app.inject({ method: 'POST', url, headers, payload: payload as object });
    expectProblem(await post('/admin/sessions/lease', { id: 'x' }, {}), 401, 'AUTH_TOKEN_INVALID');
    expectProblem(await post('/admin/sessions/lease', { id: 42 }), 400, 'VALIDATION_FAILED');
    expectProblem(await post('/admin/sessions/confirm', { id: 'x' }), 400, 'VALIDATION_FAILED');
    expectProblem(await built.app.inject({ method: 'POST', url: '/admin/sessions/lease', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"id":' }), 400, 'MALFORMED_BODY');
    expect((await post('/admin/sessions/lease', { id: 'no-such-session' })).json()).toEqual({ granted: false, reason: 'unknown' });

    const client = await startSession(built);
    const id = client.cookie.slice('sid='.length);
    const lease = await post('/admin/sessions/lease', { id });
    expect(lease.json()).toMatchObject({ granted: true, handed: { session: { id, csrfToken: client.csrf, counter: 0 } } });
    expect(lease.headers['cache-control']).toBe('no-store');
    const moving = await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf } });
    expectProblem(moving, 503, 'SESSION_MOVING');
    expect(moving.headers['retry-after']).toBe('1');
    expect((await post('/admin/sessions/confirm', { id, leaseId: lease.json<{ leaseId: string }>().leaseId })).json()).toEqual({ outcome: 'moved' });
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } }), 401, 'SESSION_REQUIRED');
    // The tombstone is no session: the store counts none.
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/stats' })).json()).toMatchObject({ liveSessions: 0 });

    // Without ADMIN_TOKEN there are no admin endpoints at all.
    const plain = await testApp(infra);
    expectProblem(await plain.app.inject({ method: 'POST', url: '/admin/sessions/lease', payload: { id: 'x' } }), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('taking a session over', () => {
  it('moves it on the first request that carries its cookie: same id, state and CSRF token, and a retry still replayed', async () => {
    const from = await holder();
    const client = await startSession(from.built);
    const increment = (app: Phase2App, key?: string) => app.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, ...(key ? { 'idempotency-key': key } : {}) } });
    expect((await increment(from.built, 'first')).json()).toEqual({ value: 1 });
    // Another Redis, as the other phase has; the first of its peers is down, the next one is asked.
    const to = await testApp(infra, { ADMIN_TOKEN, REDIS_URL: otherRedis.url, HANDOVER_PEERS: `http://127.0.0.1:9,${from.url}` });

    const read = await to.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ value: 1 });
    const retried = await increment(to, 'first');
    expect(retried.json()).toEqual({ value: 1 });
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect((await increment(to)).json()).toEqual({ value: 2 });
    expectProblem(await from.built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } }), 401, 'SESSION_REQUIRED');
    expect((await to.app.inject({ method: 'GET', url: '/api/stateful/stats' })).json()).toMatchObject({ liveSessions: 1 });
  });

  it('answers 503 when the other phase cannot be reached, and 503 SESSION_MOVING while another handover holds the lease', async () => {
    const unreachable = await testApp(infra, { ADMIN_TOKEN, REDIS_URL: otherRedis.url, HANDOVER_PEERS: 'http://127.0.0.1:9', HANDOVER_TIMEOUT_MS: '500' });
    expectProblem(await unreachable.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: 'sid=anything' } }), 503, 'DEPENDENCY_UNAVAILABLE');

    const from = await holder();
    const client = await startSession(from.built);
    await from.built.app.inject({ method: 'POST', url: '/admin/sessions/lease', headers: admin, payload: { id: client.cookie.slice('sid='.length) } });
    const to = await testApp(infra, { ADMIN_TOKEN, REDIS_URL: otherRedis.url, HANDOVER_PEERS: from.url });
    expectProblem(await to.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } }), 503, 'SESSION_MOVING');
  });
  it('asks nobody about a cookie that cannot be a session id: 401 with the cookie cleared, and a new session can start', async () => {
    // The other phase refuses such ids with 400; that was once taken for its outage, a 503 forever.
    const from = await holder();
    const to = await testApp(infra, { ADMIN_TOKEN, REDIS_URL: otherRedis.url, HANDOVER_PEERS: from.url });
    for (const cookie of [`sid=${'a'.repeat(257)}`, 'sid=j%3A%7B%22a%22%3A1%7D', 'sid=..%2F..%2Fetc', 'sid=%00']) {
      const current = await to.app.inject({ method: 'GET', url: '/api/stateful/sessions/current', headers: { cookie } });
      expectProblem(current, 401, 'SESSION_REQUIRED');
      expect(String(current.headers['set-cookie'])).toMatch(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax/);
      expectProblem(await to.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie, 'x-csrf-token': 'x' } }), 401, 'SESSION_REQUIRED');
      expect((await to.app.inject({ method: 'POST', url: '/api/stateful/sessions', headers: { cookie } })).statusCode, cookie).toBe(201);
      expect((await to.app.inject({ method: 'POST', url: '/api/stateful/sessions', headers: { cookie }, payload: { username: 'bob', password: 'builder' } })).statusCode, cookie).toBe(201);
    }
  });
});
