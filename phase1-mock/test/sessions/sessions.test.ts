/** Session lifecycle through the HTTP API: TTL, fixation, logout, CSRF, concurrency. */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { expectProblem, startSession, testApp } from '../helpers.ts';

describe('sliding TTL', () => {
  it('each use pushes expiry back; an idle session expires', async () => {
    let now = Date.parse('2026-01-01T12:00:00Z');
    const { app } = testApp({ SESSION_TTL_SECONDS: '300' }, { now: () => now });
    const client = await startSession(app);

    now += 299_000; // used just before it would expire: it slides
    const used = await request(app).get('/api/stateful/sessions/current').set('Cookie', client.cookie);
    expect(used.status).toBe(200);
    expect((used.body as { expiresAt: string }).expiresAt).toBe(new Date(now + 300_000).toISOString());

    now += 299_000; // still within the slid window
    expect((await request(app).get('/api/stateful/counter').set('Cookie', client.cookie)).status).toBe(200);

    now += 300_001; // idle past the TTL
    expectProblem(await request(app).get('/api/stateful/counter').set('Cookie', client.cookie), 401, 'SESSION_REQUIRED');
  });

  it('the sweep frees expired sessions that are never read again', async () => {
    let now = 0;
    const { app, sessions } = testApp({ SESSION_TTL_SECONDS: '10' }, { now: () => now });
    await startSession(app);
    await startSession(app);
    expect((await request(app).get('/api/stateful/stats')).body).toMatchObject({ liveSessions: 2, store: 'memory' });
    now += 10_001;
    expect(sessions.sweep()).toBe(2);
    expect((await request(app).get('/api/stateful/stats')).body).toMatchObject({ liveSessions: 0 });
  });
});

describe('sign-in and sign-out', () => {
  it('signing in from a guest session issues a new id, carries the state, and kills the old id', async () => {
    const { app } = testApp();
    const guest = await startSession(app);
    await request(app).post('/api/stateful/counter/increment').set('Cookie', guest.cookie).set('X-CSRF-Token', guest.csrf);
    await request(app).post('/api/stateful/cart/items').set('Cookie', guest.cookie).set('X-CSRF-Token', guest.csrf).send({ productId: 'hs-004', quantity: 2 });

    const signIn = await request(app).post('/api/stateful/sessions').set('Cookie', guest.cookie).set('X-CSRF-Token', guest.csrf).send({ username: 'bob', password: 'builder' });
    expect(signIn.status).toBe(201);
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const signedIn = setCookie.split(';')[0] ?? '';
    expect(signedIn).not.toBe(guest.cookie);
    expect((signIn.body as { csrfToken: string }).csrfToken).not.toBe(guest.csrf);
    expect(signIn.body).toMatchObject({ kind: 'user', user: { username: 'bob', displayName: 'Bob the Builder' } });

    expect((await request(app).get('/api/stateful/counter').set('Cookie', signedIn)).body).toEqual({ value: 1 });
    expect((await request(app).get('/api/stateful/cart').set('Cookie', signedIn)).body).toMatchObject({ itemCount: 2 });
    expectProblem(await request(app).get('/api/stateful/counter').set('Cookie', guest.cookie), 401, 'SESSION_REQUIRED');
  });

  it('a wrong password starts no session and leaves the guest session alone', async () => {
    const { app } = testApp();
    const guest = await startSession(app);
    const res = await request(app).post('/api/stateful/sessions').set('Cookie', guest.cookie).set('X-CSRF-Token', guest.csrf).send({ username: 'bob', password: 'wrong' });
    expectProblem(res, 401, 'AUTH_INVALID_CREDENTIALS');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await request(app).get('/api/stateful/sessions/current').set('Cookie', guest.cookie)).status).toBe(200);
  });

  it("replacing a live session needs its CSRF token, and a signed-in user's state stays with that user", async () => {
    const { app } = testApp();
    const alice = await startSession(app, { username: 'alice', password: 'wonderland' });
    await request(app).post('/api/stateful/counter/increment').set('Cookie', alice.cookie).set('X-CSRF-Token', alice.csrf);
    expectProblem(await request(app).post('/api/stateful/sessions').set('Cookie', alice.cookie), 403, 'CSRF_TOKEN_INVALID');
    expectProblem(await request(app).post('/api/stateful/sessions').set('Cookie', alice.cookie).set('X-CSRF-Token', 'not-her-token'), 403, 'CSRF_TOKEN_INVALID');
    expect((await request(app).get('/api/stateful/sessions/current').set('Cookie', alice.cookie)).body).toMatchObject({ user: { username: 'alice' } });
    const bob = await request(app).post('/api/stateful/sessions').set('Cookie', alice.cookie).set('X-CSRF-Token', alice.csrf).send({ username: 'bob', password: 'builder' });
    expect(bob.status).toBe(201);
    const cookie = String(bob.headers['set-cookie']).split(';')[0] ?? '';
    expect((await request(app).get('/api/stateful/counter').set('Cookie', cookie)).body).toEqual({ value: 0 });
    expectProblem(await request(app).get('/api/stateful/counter').set('Cookie', alice.cookie), 401, 'SESSION_REQUIRED');
  });

  it('after logout the old cookie gets 401 and the cookie is cleared', async () => {
    const { app } = testApp();
    const client = await startSession(app, { username: 'alice', password: 'wonderland' });
    const logout = await request(app).delete('/api/stateful/sessions/current').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf);
    expect(logout.status).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/^sid=;.*Expires=Thu, 01 Jan 1970/);
    expectProblem(await request(app).get('/api/stateful/sessions/current').set('Cookie', client.cookie), 401, 'SESSION_REQUIRED');
    expectProblem(await request(app).post('/api/stateful/counter/increment').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf), 401, 'SESSION_REQUIRED');
  });
});

describe('CSRF', () => {
  it('refuses a mutation without the token or with another session\'s token, and changes nothing', async () => {
    const { app } = testApp();
    const mine = await startSession(app);
    const theirs = await startSession(app);
    expectProblem(await request(app).post('/api/stateful/counter/increment').set('Cookie', mine.cookie), 403, 'CSRF_TOKEN_INVALID');
    expectProblem(await request(app).post('/api/stateful/counter/increment').set('Cookie', mine.cookie).set('X-CSRF-Token', theirs.csrf), 403, 'CSRF_TOKEN_INVALID');
    expectProblem(await request(app).delete('/api/stateful/sessions/current').set('Cookie', mine.cookie), 403, 'CSRF_TOKEN_INVALID');
    expectProblem(
      await request(app).post('/api/stateful/cart/items').set('Cookie', mine.cookie).set('X-CSRF-Token', 'x').send({ productId: 'kb-001', quantity: 1 }),
      403,
      'CSRF_TOKEN_INVALID',
    );
    expect((await request(app).get('/api/stateful/counter').set('Cookie', mine.cookie)).body).toEqual({ value: 0 });
    expect((await request(app).get('/api/stateful/cart').set('Cookie', mine.cookie)).body).toMatchObject({ itemCount: 0 });
    expect((await request(app).get('/api/stateful/sessions/current').set('Cookie', mine.cookie)).status).toBe(200);
  });

  it('reads need no token', async () => {
    const { app } = testApp();
    const client = await startSession(app);
    expect((await request(app).get('/api/stateful/counter').set('Cookie', client.cookie)).status).toBe(200);
  });
});

describe('concurrency on one session', () => {
  it('100 concurrent increments count 100', async () => {
    const { app } = testApp();
    const client = await startSession(app);
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => request(app).post('/api/stateful/counter/increment').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf)),
    );
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(new Set(responses.map((res) => (res.body as { value: number }).value)).size).toBe(100);
    expect((await request(app).get('/api/stateful/counter').set('Cookie', client.cookie)).body).toEqual({ value: 100 });
  });

  it('concurrent cart adds are all kept, and the 99 limit holds', async () => {
    const { app } = testApp();
    const client = await startSession(app);
    const add = (productId: string, quantity: number) =>
      request(app).post('/api/stateful/cart/items').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf).send({ productId, quantity });
    const products = ['kb-001', 'ms-002', 'mn-003', 'hs-004', 'cb-005'];
    await Promise.all(products.flatMap((id) => Array.from({ length: 10 }, () => add(id, 1))));
    const cart = (await request(app).get('/api/stateful/cart').set('Cookie', client.cookie)).body as { items: { quantity: number }[]; itemCount: number };
    expect(cart.itemCount).toBe(50);
    expect(cart.items.map((line) => line.quantity)).toEqual([10, 10, 10, 10, 10]);

    expect((await add('kb-001', 89)).status).toBe(200);
    expectProblem(await add('kb-001', 1), 422, 'CART_LIMIT_EXCEEDED');
  });
});
