/**
 * The cutover's handover over HTTP (core's handover.ts, docs/decisions/0011-…), between two phase
 * 1 apps on real ports: one holds a session, the other takes it over on the first request that
 * carries its cookie. Phase 2's twin runs the same between two instances on separate Redis databases.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpSessionPeer } from 'core';
import { expectProblem, startSession, testApp } from '../helpers.ts';

const ADMIN_TOKEN = 'an-admin-token-of-some-length';
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** The holder: a phase 1 app listening on a port of its own. */
async function holder(): Promise<{ app: ReturnType<typeof testApp>; url: string }> {
  const app = testApp({ ADMIN_TOKEN });
  const server = app.app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return { app, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}` };
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('the handover endpoints', () => {
  it('want the admin token, and a session id in the body', async () => {
    const { app } = await holder();
    expectProblem(await request(app.app).post('/admin/sessions/lease').send({ id: 'x' }), 401, 'AUTH_TOKEN_INVALID');
    expectProblem(await request(app.app).post('/admin/sessions/lease').set('authorization', 'Bearer wrong').send({ id: 'x' }), 401, 'AUTH_TOKEN_INVALID');
    expectProblem(await request(app.app).post('/admin/sessions/lease').set(admin).send({ id: 42 }), 400, 'VALIDATION_FAILED');
    expectProblem(await request(app.app).post('/admin/sessions/confirm').set(admin).send({ id: 'x' }), 400, 'VALIDATION_FAILED');
    expectProblem(await request(app.app).post('/admin/sessions/lease').set(admin).set('content-type', 'application/json').send('{"id":'), 400, 'MALFORMED_BODY');
    expect((await request(app.app).post('/admin/sessions/lease').set(admin).send({ id: 'no-such-session' })).body).toEqual({ granted: false, reason: 'unknown' });
    // Without ADMIN_TOKEN there are no admin endpoints at all.
    expectProblem(await request(testApp().app).post('/admin/sessions/lease').send({ id: 'x' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('freeze a leased session: its user is told to retry (503 SESSION_MOVING) and nothing changes', async () => {
    const { app } = await holder();
    const client = await startSession(app.app);
    const id = client.cookie.slice('sid='.length);
    const lease = await request(app.app).post('/admin/sessions/lease').set(admin).send({ id });
    expect(lease.body).toMatchObject({ granted: true, handed: { session: { id, csrfToken: client.csrf, counter: 0 } } });
    expect(lease.headers['cache-control']).toBe('no-store');
    const moving = await request(app.app).post('/api/stateful/counter/increment').set('cookie', client.cookie).set('x-csrf-token', client.csrf);
    expectProblem(moving, 503, 'SESSION_MOVING');
    expect(moving.headers['retry-after']).toBe('1');
    const confirm = await request(app.app).post('/admin/sessions/confirm').set(admin).send({ id, leaseId: (lease.body as { leaseId: string }).leaseId });
    expect(confirm.body).toEqual({ outcome: 'moved' });
    expectProblem(await request(app.app).get('/api/stateful/counter').set('cookie', client.cookie), 401, 'SESSION_REQUIRED');
  });
});

describe('taking a session over', () => {
  it('moves it on the first request that carries its cookie: same id, state and CSRF token, and a retry still replayed', async () => {
    const from = await holder();
    const client = await startSession(from.app.app);
    const increment = () => request(from.app.app).post('/api/stateful/counter/increment').set('cookie', client.cookie).set('x-csrf-token', client.csrf).set('idempotency-key', 'first');
    expect((await increment()).body).toEqual({ value: 1 });
    // The first of the peers is down: the next one is asked.
    const to = testApp({ ADMIN_TOKEN, HANDOVER_PEERS: `http://127.0.0.1:9,${from.url}` });

    const read = await request(to.app).get('/api/stateful/counter').set('cookie', client.cookie);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ value: 1 });
    // The retry of a change made before the move is answered with its outcome, not applied again.
    const retried = await request(to.app).post('/api/stateful/counter/increment').set('cookie', client.cookie).set('x-csrf-token', client.csrf).set('idempotency-key', 'first');
    expect(retried.body).toEqual({ value: 1 });
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect((await request(to.app).post('/api/stateful/counter/increment').set('cookie', client.cookie).set('x-csrf-token', client.csrf)).body).toEqual({ value: 2 });
    // The holder let it go: it serves it no more, and counts it no more.
    expectProblem(await request(from.app.app).get('/api/stateful/counter').set('cookie', client.cookie), 401, 'SESSION_REQUIRED');
    expect((await request(from.app.app).get('/api/stateful/stats')).body).toMatchObject({ liveSessions: 0 });
    // Another phase asking now hears "handed over already", holds no pending copy, and refuses it.
    const late = testApp({ ADMIN_TOKEN, HANDOVER_PEERS: from.url });
    expectProblem(await request(late.app).get('/api/stateful/counter').set('cookie', client.cookie), 401, 'SESSION_REQUIRED');
    // A cookie neither phase knows is refused as before.
    expectProblem(await request(to.app).get('/api/stateful/counter').set('cookie', 'sid=unknown'), 401, 'SESSION_REQUIRED');
  });

  it('answers 503 when the other phase cannot be reached, and 503 SESSION_MOVING while another handover holds the lease', async () => {
    const unreachable = testApp({ ADMIN_TOKEN, HANDOVER_PEERS: 'http://127.0.0.1:9', HANDOVER_TIMEOUT_MS: '500' });
    expectProblem(await request(unreachable.app).get('/api/stateful/counter').set('cookie', 'sid=anything'), 503, 'DEPENDENCY_UNAVAILABLE');

    const from = await holder();
    const client = await startSession(from.app.app);
    await request(from.app.app).post('/admin/sessions/lease').set(admin).send({ id: client.cookie.slice('sid='.length) });
    const to = testApp({ ADMIN_TOKEN, HANDOVER_PEERS: from.url });
    expectProblem(await request(to.app).get('/api/stateful/counter').set('cookie', client.cookie), 503, 'SESSION_MOVING');
    // A peer that refuses the token is not asked again at another address, and is not reachable either.
    const refused = testApp({ ADMIN_TOKEN: 'another-admin-token-entirely', HANDOVER_PEERS: `${from.url},http://127.0.0.1:9` });
    expectProblem(await request(refused.app).get('/api/stateful/counter').set('cookie', client.cookie), 503, 'DEPENDENCY_UNAVAILABLE');
  });

  it('asks nobody about a cookie that cannot be a session id: 401 with the cookie cleared, and a new session can start', async () => {
    // The other phase refuses such ids with 400; that was once taken for its outage, a 503 forever.
    const from = await holder();
    const to = testApp({ ADMIN_TOKEN, HANDOVER_PEERS: from.url });
    for (const cookie of [`sid=${'a'.repeat(257)}`, 'sid=j%3A%7B%22a%22%3A1%7D', 'sid=..%2F..%2Fetc', 'sid=%00']) {
      const current = await request(to.app).get('/api/stateful/sessions/current').set('cookie', cookie);
      expectProblem(current, 401, 'SESSION_REQUIRED');
      expect(current.headers['set-cookie']?.[0]).toMatch(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax/);
      expectProblem(await request(to.app).post('/api/stateful/counter/increment').set('cookie', cookie).set('x-csrf-token', 'x'), 401, 'SESSION_REQUIRED');
      const guest = await request(to.app).post('/api/stateful/sessions').set('cookie', cookie);
      expect(guest.status, cookie).toBe(201);
      const signedIn = await request(to.app).post('/api/stateful/sessions').set('cookie', cookie).send({ username: 'bob', password: 'builder' });
      expect(signedIn.status, cookie).toBe(201);
    }
    // A peer's 400 about an id is its answer (it holds no such session), not an outage.
    const peer = new HttpSessionPeer([from.url], ADMIN_TOKEN, 2000);
    expect(await peer.lease('a'.repeat(257))).toEqual({ granted: false, reason: 'unknown' });
    expect(await peer.confirm('a'.repeat(257), 'no-lease')).toBe('lease-lost');
  });

  it('refuses HANDOVER_PEERS without the admin token the phases share', () => {
    expect(() => testApp({ HANDOVER_PEERS: 'http://127.0.0.1:9' })).toThrow(/HANDOVER_PEERS needs ADMIN_TOKEN/);
  });
});
