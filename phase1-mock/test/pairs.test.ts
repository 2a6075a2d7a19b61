/** Each stateless/stateful pair behaves as the contract describes, and where the state lives shows. */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { startSession, testApp } from './helpers.ts';

describe('counter: client-held vs session-held', () => {
  it('the stateless counter returns value + 1 and any instance computes the same', async () => {
    const a = testApp({ INSTANCE_ID: 'a' });
    const b = testApp({ INSTANCE_ID: 'b' });
    const first = await request(a.app).post('/api/stateless/counter').send({ value: 41 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ value: 42 });
    const second = await request(b.app).post('/api/stateless/counter').send(first.body as object);
    expect(second.body).toEqual({ value: 43 });
    expect(second.headers['x-served-by']).toBe('phase1-mock/b');
  });

  it('the stateful counter lives in the session: only the instance holding it knows it', async () => {
    const a = testApp({ INSTANCE_ID: 'a' });
    const b = testApp({ INSTANCE_ID: 'b' });
    const client = await startSession(a.app);
    for (let i = 1; i <= 3; i += 1) {
      const res = await request(a.app).post('/api/stateful/counter/increment').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf);
      expect(res.body).toEqual({ value: i });
    }
    expect((await request(a.app).get('/api/stateful/counter').set('Cookie', client.cookie)).body).toEqual({ value: 3 });
    // A second phase 1 process has its own Map: the cookie means nothing there.
    const elsewhere = await request(b.app).get('/api/stateful/counter').set('Cookie', client.cookie);
    expect(elsewhere.status).toBe(401);
  });

  it('refuses a stateless value whose successor JSON could not represent exactly', async () => {
    const { app } = testApp();
    const res = await request(app).post('/api/stateless/counter').send({ value: Number.MAX_SAFE_INTEGER });
    expect(res.status).toBe(400);
  });
});

describe('cart: quoted vs stored', () => {
  it('prices the same lines the same way whether the client or the session holds them', async () => {
    const { app } = testApp();
    const quote = await request(app)
      .post('/api/stateless/cart/quote')
      .send({ items: [{ productId: 'kb-001', quantity: 2 }, { productId: 'ms-002', quantity: 1 }] });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ itemCount: 3, totalCents: 2 * 8900 + 2900, currency: 'EUR' });

    const client = await startSession(app);
    const add = (productId: string, quantity: number) =>
      request(app).post('/api/stateful/cart/items').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf).send({ productId, quantity });
    await add('kb-001', 1);
    await add('kb-001', 1);
    const after = await add('ms-002', 1);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(quote.body);
    expect((await request(app).get('/api/stateful/cart').set('Cookie', client.cookie)).body).toEqual(quote.body);
  });

  it('merges repeated quote lines and removes a stored line', async () => {
    const { app } = testApp();
    const quote = await request(app).post('/api/stateless/cart/quote').send({ items: [{ productId: 'cb-005', quantity: 1 }, { productId: 'cb-005', quantity: 2 }] });
    expect(quote.body).toMatchObject({ items: [{ productId: 'cb-005', quantity: 3 }], totalCents: 3600 });

    const client = await startSession(app);
    await request(app).post('/api/stateful/cart/items').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf).send({ productId: 'cb-005', quantity: 1 });
    const removed = await request(app).delete('/api/stateful/cart/items/cb-005').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ items: [], itemCount: 0, totalCents: 0 });
  });
});

describe('token vs session', () => {
  it('a JWT is checked from its claims by any instance that has the key; a session only where it lives', async () => {
    const a = testApp({ INSTANCE_ID: 'a' });
    const b = testApp({ INSTANCE_ID: 'b' });
    const tokens = await request(a.app).post('/api/auth/tokens').send({ username: 'alice', password: 'wonderland' });
    expect(tokens.status).toBe(200);
    expect(tokens.headers['cache-control']).toBe('no-store');
    const { accessToken } = tokens.body as { accessToken: string };
    const me = await request(b.app).get('/api/stateless/me').set('Authorization', `Bearer ${accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: 'alice', displayName: 'Alice Liddell' }, answeredFrom: 'token-claims' });

    const client = await startSession(a.app, { username: 'alice', password: 'wonderland' });
    expect((await request(a.app).get('/api/stateful/sessions/current').set('Cookie', client.cookie)).body).toMatchObject({ kind: 'user', user: { username: 'alice' } });
    expect((await request(b.app).get('/api/stateful/sessions/current').set('Cookie', client.cookie)).status).toBe(401);
  });

  it('a token signed with another key, or expired, is refused with a Bearer challenge', async () => {
    let now = Date.now();
    const issuer = testApp({ ACCESS_TOKEN_TTL_SECONDS: '60' }, { now: () => now });
    const stranger = testApp({ JWT_SECRET: 'another-secret-that-is-at-least-32-characters' });
    const { accessToken } = (await request(issuer.app).post('/api/auth/tokens').send({ username: 'bob', password: 'builder' })).body as { accessToken: string };
    const forged = await request(stranger.app).get('/api/stateless/me').set('Authorization', `Bearer ${accessToken}`);
    expect(forged.status).toBe(401);
    expect(forged.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    now += 61_000;
    expect((await request(issuer.app).get('/api/stateless/me').set('Authorization', `Bearer ${accessToken}`)).status).toBe(401);
    expect((await request(issuer.app).get('/api/stateless/me')).headers['www-authenticate']).toBe('Bearer');
  });

  it('the same wrong password and unknown user both get 401 without saying which', async () => {
    const { app } = testApp();
    const wrong = await request(app).post('/api/auth/tokens').send({ username: 'alice', password: 'nope' });
    const unknown = await request(app).post('/api/auth/tokens').send({ username: 'mallory', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((wrong.body as { detail: string }).detail).toBe((unknown.body as { detail: string }).detail);
  });
});
