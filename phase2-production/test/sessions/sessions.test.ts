/** The Redis session store through the API: atomicity under concurrency, sliding TTL, sharing. */
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startSession, testApp, useInfrastructure, expectProblem } from '../helpers.ts';

const infra = useInfrastructure();

describe('concurrency on one session (real Redis)', () => {
  it('200 concurrent increments count exactly 200', async () => {
    const built = await testApp(infra);
    const client = await startSession(built);
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf } }),
      ),
    );
    expect(responses.map((res) => res.statusCode).every((status) => status === 200)).toBe(true);
    expect(new Set(responses.map((res) => res.json<{ value: number }>().value)).size).toBe(200);
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } })).json()).toEqual({ value: 200 });
  });

  it('concurrent cart adds from two instances are all kept', async () => {
    const a = await testApp(infra, { INSTANCE_ID: 'api-a' });
    const b = await testApp(infra, { INSTANCE_ID: 'api-b' });
    const client = await startSession(a);
    const products = ['kb-001', 'ms-002', 'mn-003', 'hs-004'];
    const responses = await Promise.all(
      products.flatMap((productId) =>
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).app.inject({
            method: 'POST',
            url: '/api/stateful/cart/items',
            headers: { cookie: client.cookie, 'x-csrf-token': client.csrf },
            payload: { productId, quantity: 1 },
          }),
        ),
      ),
    );
    expect(responses.every((res) => res.statusCode === 200)).toBe(true);
    expect(new Set(responses.map((res) => res.headers['x-served-by']))).toEqual(new Set(['phase2-production/api-a', 'phase2-production/api-b']));
    const cart = (await b.app.inject({ method: 'GET', url: '/api/stateful/cart', headers: { cookie: client.cookie } })).json<{ itemCount: number; items: { quantity: number }[] }>();
    expect(cart.itemCount).toBe(40);
    expect(cart.items.map((line) => line.quantity)).toEqual([10, 10, 10, 10]);
  });

  it('the 99-per-line limit holds under concurrency', async () => {
    const built = await testApp(infra);
    const client = await startSession(built);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        built.app.inject({ method: 'POST', url: '/api/stateful/cart/items', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf }, payload: { productId: 'cb-005', quantity: 9 } }),
      ),
    );
    expect(responses.filter((res) => res.statusCode === 200)).toHaveLength(11);
    expect(responses.filter((res) => res.statusCode === 422)).toHaveLength(1);
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/cart', headers: { cookie: client.cookie } })).json()).toMatchObject({ itemCount: 99 });
  });
});

describe('sliding TTL (real Redis expiry)', () => {
  it('each use pushes the expiry back; an idle session expires', async () => {
    const built = await testApp(infra, { SESSION_TTL_SECONDS: '1' });
    const client = await startSession(built);
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } })).statusCode).toBe(200);
    }
    // 1.8 s after creation it is still alive, because every read slid it; now leave it idle.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } }), 401, 'SESSION_REQUIRED');
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/stats' })).json()).toMatchObject({ liveSessions: 0, store: 'redis' });
  });
});

describe('one store for every instance', () => {
  it('a session made on one instance is read, changed and ended on another', async () => {
    const a = await testApp(infra, { INSTANCE_ID: 'api-a' });
    const b = await testApp(infra, { INSTANCE_ID: 'api-b' });
    const client = await startSession(a, { username: 'alice', password: 'wonderland' });
    const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf };
    expect((await b.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers })).json()).toEqual({ value: 1 });
    expect((await a.app.inject({ method: 'GET', url: '/api/stateful/counter', headers })).json()).toEqual({ value: 1 });
    expect((await b.app.inject({ method: 'GET', url: '/api/stateful/stats' })).json()).toMatchObject({ liveSessions: 1 });
    expect((await b.app.inject({ method: 'DELETE', url: '/api/stateful/sessions/current', headers })).statusCode).toBe(204);
    expectProblem(await a.app.inject({ method: 'GET', url: '/api/stateful/sessions/current', headers }), 401, 'SESSION_REQUIRED');
  });

  it('sign-in gives a new id, carries the guest state, and kills the old id', async () => {
    const built = await testApp(infra);
    const guest = await startSession(built);
    await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: guest.cookie, 'x-csrf-token': guest.csrf } });
    const signIn = await built.app.inject({ method: 'POST', url: '/api/stateful/sessions', headers: { cookie: guest.cookie, 'x-csrf-token': guest.csrf }, payload: { username: 'bob', password: 'builder' } });
    expect(signIn.statusCode).toBe(201);
    expect(String(signIn.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(signIn.headers['set-cookie'])).toMatch(/SameSite=Lax/);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).not.toBe(guest.cookie);
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie } })).json()).toEqual({ value: 1 });
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: guest.cookie } }), 401, 'SESSION_REQUIRED');
  });

  it("replacing a live session needs its CSRF token, and a signed-in user's state stays with that user", async () => {
    const built = await testApp(infra);
    const alice = await startSession(built, { username: 'alice', password: 'wonderland' });
    await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf } });
    for (const headers of [{ cookie: alice.cookie }, { cookie: alice.cookie, 'x-csrf-token': 'not-her-token' }]) {
      expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/sessions', headers }), 403, 'CSRF_TOKEN_INVALID');
    }
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/sessions/current', headers: { cookie: alice.cookie } })).json()).toMatchObject({ user: { username: 'alice' } });
    const bob = await built.app.inject({ method: 'POST', url: '/api/stateful/sessions', headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf }, payload: { username: 'bob', password: 'builder' } });
    expect(bob.statusCode).toBe(201);
    const cookie = String(bob.headers['set-cookie']).split(';')[0] ?? '';
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie } })).json()).toEqual({ value: 0 });
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: alice.cookie } }), 401, 'SESSION_REQUIRED');
  });
});

describe('a product removed from the catalog while it sits in carts', () => {
  it('leaves the cart readable, its line set aside as unavailable, and removable', async () => {
    const built = await testApp(infra);
    await built.pool.query("INSERT INTO products (id, name, description, category, price_cents) VALUES ('tmp-001', 'Short-lived', 'Gone soon.', 'misc', 500)");
    const client = await startSession(built);
    const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf };
    for (const productId of ['tmp-001', 'kb-001']) {
      expect((await built.app.inject({ method: 'POST', url: '/api/stateful/cart/items', headers, payload: { productId, quantity: 2 } })).statusCode).toBe(200);
    }
    await built.pool.query("DELETE FROM products WHERE id = 'tmp-001'");
    const cart = await built.app.inject({ method: 'GET', url: '/api/stateful/cart', headers: { cookie: client.cookie } });
    expect(cart.statusCode).toBe(200);
    expect(cart.json()).toMatchObject({ items: [{ productId: 'kb-001', quantity: 2 }], itemCount: 2, unavailable: [{ productId: 'tmp-001', quantity: 2 }] });
    const removed = await built.app.inject({ method: 'DELETE', url: '/api/stateful/cart/items/tmp-001', headers });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).not.toHaveProperty('unavailable');
    expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/cart/items', headers, payload: { productId: 'tmp-001', quantity: 1 } }), 422, 'PRODUCT_NOT_FOUND');
  });
});

describe('a primary that refuses writes (min-replicas-to-write, no replica left)', () => {
  it('still answers session reads, and refuses changes with 503 rather than losing them', async () => {
    const built = await testApp(infra);
    const client = await startSession(built);
    // This Redis has no replica, so requiring one makes it refuse every write, as a primary whose
    // replicas are all gone does in the Sentinel topology.
    const admin = new Redis(infra.redis.url);
    await admin.config('SET', 'min-replicas-to-write', '1');
    try {
      const read = await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual({ value: 0 });
      const change = await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf } });
      expectProblem(change, 503, 'DEPENDENCY_UNAVAILABLE');
      expectProblem(await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: 'sid=never-created' } }), 401, 'SESSION_REQUIRED');
      // A new session is a write too: refused with 503, never a 500.
      expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/sessions' }), 503, 'DEPENDENCY_UNAVAILABLE');
    } finally {
      await admin.config('SET', 'min-replicas-to-write', '0');
      admin.disconnect();
    }
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: client.cookie } })).json()).toEqual({ value: 0 });
  });
});
