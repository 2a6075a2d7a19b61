/**
 * Hostile and broken input gets a 4xx problem+json, never a 5xx, and changes nothing.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { REQUEST_LIMITS } from 'core';
import { describeBodyRules } from 'core/test-suites';
import { expectProblem, startSession, testApp } from '../helpers.ts';

const INJECTIONS = ["' OR '1'='1", '"; DROP TABLE users; --', '<script>alert(1)</script>', '../../etc/passwd', '${jndi:ldap://x}', '\u0000', '__proto__'];

describe('malformed and mistyped bodies', () => {
  it.each([
    ['POST', '/api/stateless/counter'],
    ['POST', '/api/stateless/cart/quote'],
    ['POST', '/api/auth/tokens'],
    ['POST', '/api/auth/tokens/refresh'],
    ['POST', '/api/stateful/sessions'],
  ])('%s %s: unparsable JSON is a 400 MALFORMED_BODY', async (method, path) => {
    const { app } = testApp();
    const res = await request(app)[method.toLowerCase() as 'post'](path).set('Content-Type', 'application/json').send('{"value": 4');
    expectProblem(res, 400, 'MALFORMED_BODY');
  });

  it.each([
    [{ value: '41' }],
    [{ value: 4.5 }],
    [{ value: -1 }],
    [{ value: null }],
    [{}],
    [{ value: 1, extra: true }],
    [[1, 2]],
  ])('the stateless counter refuses %j with VALIDATION_FAILED listing each violation', async (body) => {
    const { app } = testApp();
    const res = await request(app).post('/api/stateless/counter').send(body);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect((res.body as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
  });

  it('an oversized body is a 413 and a non-JSON one a 415', async () => {
    const { app } = testApp();
    expectProblem(await request(app).post('/api/stateless/counter').send({ value: 1, pad: 'x'.repeat(20_000) }), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await request(app).post('/api/stateless/counter').set('Content-Type', 'text/plain').send('value=1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await request(app).post('/api/auth/tokens').set('Content-Type', 'application/x-www-form-urlencoded').send('username=alice&password=wonderland'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('injection-looking strings', () => {
  it.each(INJECTIONS)('in a product id path parameter: %j', async (value) => {
    const { app } = testApp();
    const res = await request(app).get(`/api/products/${encodeURIComponent(value)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  });

  it.each(INJECTIONS)('as credentials: %j', async (value) => {
    const { app } = testApp();
    const res = await request(app).post('/api/auth/tokens').send({ username: value, password: value });
    expect([400, 401]).toContain(res.status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  });

  it.each(INJECTIONS)('as a cart product id, storing nothing: %j', async (value) => {
    const { app } = testApp();
    const client = await startSession(app);
    const res = await request(app).post('/api/stateful/cart/items').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf).send({ productId: value, quantity: 1 });
    expect([400, 422]).toContain(res.status);
    expect((await request(app).get('/api/stateful/cart').set('Cookie', client.cookie)).body).toMatchObject({ items: [], itemCount: 0 });
  });

  it('as a session cookie or a bearer token', async () => {
    const { app } = testApp();
    for (const value of INJECTIONS) {
      expectProblem(await request(app).get('/api/stateful/counter').set('Cookie', `sid=${encodeURIComponent(value)}`), 401, 'SESSION_REQUIRED');
      expect((await request(app).get('/api/stateless/me').set('Authorization', `Bearer ${encodeURIComponent(value)}`)).status).toBe(401);
    }
  });

  it('a prototype-polluting body changes no object', async () => {
    const { app } = testApp();
    const res = await request(app).post('/api/stateless/counter').set('Content-Type', 'application/json').send('{"value": 1, "__proto__": {"polluted": true}}');
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('unknown products and routes', () => {
  it('an unknown product is 404 by path and 422 in a body, and the cart keeps nothing', async () => {
    const { app } = testApp();
    expectProblem(await request(app).get('/api/products/zz-999'), 404, 'RESOURCE_NOT_FOUND');
    expectProblem(await request(app).post('/api/stateless/cart/quote').send({ items: [{ productId: 'zz-999', quantity: 1 }] }), 422, 'PRODUCT_NOT_FOUND');
    const client = await startSession(app);
    expectProblem(
      await request(app).post('/api/stateful/cart/items').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf).send({ productId: 'zz-999', quantity: 1 }),
      422,
      'PRODUCT_NOT_FOUND',
    );
    expectProblem(await request(app).delete('/api/stateful/cart/items/kb-001').set('Cookie', client.cookie).set('X-CSRF-Token', client.csrf), 404, 'RESOURCE_NOT_FOUND');
    expect((await request(app).get('/api/stateful/cart').set('Cookie', client.cookie)).body).toMatchObject({ itemCount: 0 });
  });

  it('an undocumented path is 404 and an undocumented method 405, both problem+json', async () => {
    const { app } = testApp();
    expectProblem(await request(app).get('/api/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    const wrongMethod = await request(app).put('/api/products');
    expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    const wrongOnTemplate = await request(app).get('/api/stateful/cart/items/kb-001');
    expectProblem(wrongOnTemplate, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongOnTemplate.headers.allow).toBe('DELETE');
  });

  it('out-of-range and unknown query parameters are refused', async () => {
    const { app } = testApp();
    expectProblem(await request(app).get('/api/products?limit=1000'), 400, 'VALIDATION_FAILED');
    expectProblem(await request(app).get('/api/products?limit=abc'), 400, 'VALIDATION_FAILED');
    expectProblem(await request(app).get('/api/products?sort=price'), 400, 'VALIDATION_FAILED');
    const page = await request(app).get('/api/products?limit=3&offset=10');
    expect(page.body).toMatchObject({ total: 12, limit: 3, offset: 10 });
    expect((page.body as { items: unknown[] }).items).toHaveLength(2);
  });

  it('an operation that takes no query parameters ignores them, as a cache-busting probe needs', async () => {
    const { app } = testApp();
    expect((await request(app).get('/health/live?x=1')).status).toBe(200);
    expect((await request(app).get('/api/stateless/info?nocache=123')).status).toBe(200);
  });
});

describe('paths that are not valid', () => {
  it('bad percent-encoding, an over-long path parameter: problem+json, no echo in the detail', async () => {
    const { app } = testApp();
    expectProblem(await request(app).get('/api/products/%ff%fe'), 400, 'MALFORMED_REQUEST');
    // Long, but within the request-target bound: the contract's own check answers, as in phase 2.
    expectProblem(await request(app).get(`/api/products/${'a'.repeat(1500)}`), 400, 'VALIDATION_FAILED');
    const tooLong = await request(app).get(`/api/products/${'a'.repeat(REQUEST_LIMITS.targetBytes)}`);
    expectProblem(tooLong, 414, 'URI_TOO_LONG');
    expect((tooLong.body as { detail: string }).detail).not.toContain('aaaa');
  });
});

describe('the CSRF token header', () => {
  it('an empty or oversized token is a 403 after the session check, never a 400', async () => {
    const { app } = testApp();
    const client = await startSession(app);
    for (const token of ['', 'x'.repeat(500)]) {
      expectProblem(await request(app).post('/api/stateful/counter/increment').set('Cookie', client.cookie).set('X-CSRF-Token', token), 403, 'CSRF_TOKEN_INVALID');
      expectProblem(await request(app).post('/api/stateful/counter/increment').set('X-CSRF-Token', token), 401, 'SESSION_REQUIRED');
    }
  });
});

describeBodyRules('phase 1', () => {
  const { app } = testApp();
  return Promise.resolve(async (url, headers, payload) => {
    const pending = request(app).post(url).set(headers);
    const res = payload === undefined ? await pending : await pending.send(payload);
    if (res.status >= 400) expectProblem(res, res.status, (res.body as { code: string }).code);
    return { status: res.status, code: (res.body as { code?: string }).code, text: res.text };
  });
});
