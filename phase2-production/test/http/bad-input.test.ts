/** Hostile and broken input gets a 4xx problem+json, never a 5xx, and stores nothing. */
import { describe, expect, it } from 'vitest';
import { REQUEST_LIMITS } from 'core';
import { describeBodyRules } from 'core/test-suites';
import { expectProblem, startSession, testApp, useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();
const INJECTIONS = ["' OR '1'='1", '"; DROP TABLE users; --', '<script>alert(1)</script>', '../../etc/passwd', '${jndi:ldap://x}', '\u0000', '__proto__'];

describe('bodies', () => {
  it('malformed JSON, wrong types, unknown fields, oversized and non-JSON bodies are refused', async () => {
    const { app } = await testApp(infra);
    const post = (payload: string, contentType = 'application/json') => app.inject({ method: 'POST', url: '/api/stateless/counter', headers: { 'content-type': contentType }, payload });
    expectProblem(await post('{"value": 4'), 400, 'MALFORMED_BODY');
    expectProblem(await post('{"value": "41"}'), 400, 'VALIDATION_FAILED');
    expectProblem(await post('{"value": 4.5}'), 400, 'VALIDATION_FAILED');
    expectProblem(await post('{"value": -1}'), 400, 'VALIDATION_FAILED');
    expectProblem(await post('{"value": 1, "extra": true}'), 400, 'VALIDATION_FAILED');
    expectProblem(await post('[1, 2]'), 400, 'VALIDATION_FAILED');
    expectProblem(await post('{"value": 1, "__proto__": {"polluted": true}}'), 400, 'MALFORMED_BODY');
    expectProblem(await post(JSON.stringify({ value: 1, pad: 'x'.repeat(20_000) })), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await post('value=1', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await post('username=alice', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('injection-looking strings', () => {
  it.each(INJECTIONS)('%j in paths, credentials, cart lines, cookies and tokens', async (value) => {
    const { app } = await testApp(infra);
    const byPath = await app.inject({ method: 'GET', url: `/api/products/${encodeURIComponent(value)}` });
    expect(byPath.statusCode).toBeGreaterThanOrEqual(400);
    expect(byPath.statusCode).toBeLessThan(500);
    expect(String(byPath.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect([400, 401]).toContain((await app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: value, password: value } })).statusCode);

    const client = await startSession({ app } as never);
    const add = await app.inject({ method: 'POST', url: '/api/stateful/cart/items', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf }, payload: { productId: value, quantity: 1 } });
    expect([400, 422]).toContain(add.statusCode);
    expect((await app.inject({ method: 'GET', url: '/api/stateful/cart', headers: { cookie: client.cookie } })).json()).toMatchObject({ items: [], itemCount: 0 });
    expectProblem(await app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: `sid=${encodeURIComponent(value)}` } }), 401, 'SESSION_REQUIRED');
    expect((await app.inject({ method: 'GET', url: '/api/stateless/me', headers: { authorization: `Bearer ${encodeURIComponent(value)}` } })).statusCode).toBe(401);
  });
});

describe('CSRF and unknown things', () => {
  it('refuses mutations without the right token and changes nothing', async () => {
    const built = await testApp(infra);
    const mine = await startSession(built);
    const theirs = await startSession(built);
    expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: mine.cookie } }), 403, 'CSRF_TOKEN_INVALID');
    expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: mine.cookie, 'x-csrf-token': theirs.csrf } }), 403, 'CSRF_TOKEN_INVALID');
    expect((await built.app.inject({ method: 'GET', url: '/api/stateful/counter', headers: { cookie: mine.cookie } })).json()).toEqual({ value: 0 });
  });

  it('unknown products, routes and query parameters', async () => {
    const built = await testApp(infra);
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/products/zz-999' }), 404, 'RESOURCE_NOT_FOUND');
    expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateless/cart/quote', payload: { items: [{ productId: 'zz-999', quantity: 1 }] } }), 422, 'PRODUCT_NOT_FOUND');
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/nothing-here' }), 404, 'ROUTE_NOT_FOUND');
    // A path the API has, with a method it does not take: 405 and what it takes, as in phase 1.
    const wrongMethod = await built.app.inject({ method: 'PUT', url: '/api/products' });
    expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    const wrongOnTemplate = await built.app.inject({ method: 'GET', url: '/api/stateful/cart/items/kb-001' });
    expectProblem(wrongOnTemplate, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongOnTemplate.headers.allow).toBe('DELETE');
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/products?limit=1000' }), 400, 'VALIDATION_FAILED');
    expectProblem(await built.app.inject({ method: 'GET', url: '/api/products?sort=price' }), 400, 'VALIDATION_FAILED');
    expect((await built.app.inject({ method: 'GET', url: '/api/products?limit=3&offset=10' })).json()).toMatchObject({ total: 12, limit: 3, offset: 10, items: [{}, {}] });
    // An operation that takes no query parameters ignores them, as phase 1 does.
    expect((await built.app.inject({ method: 'GET', url: '/health/live?x=1' })).statusCode).toBe(200);
    expect((await built.app.inject({ method: 'GET', url: '/api/stateless/info?nocache=123' })).statusCode).toBe(200);
  });
});

describe('paths the router refuses before any route', () => {
  it('bad percent-encoding, an over-long path parameter: problem+json, no echo in the detail', async () => {
    const { app } = await testApp(infra);
    const badUrl = await app.inject({ method: 'GET', url: '/api/products/%ff%fe' });
    expectProblem(badUrl, 400, 'MALFORMED_REQUEST');
    // Long, but within the request-target bound: the contract's own check answers, as in phase 1.
    expectProblem(await app.inject({ method: 'GET', url: `/api/products/${'a'.repeat(1500)}` }), 400, 'VALIDATION_FAILED');
    const tooLong = await app.inject({ method: 'GET', url: `/api/products/${'a'.repeat(REQUEST_LIMITS.targetBytes)}` });
    expectProblem(tooLong, 414, 'URI_TOO_LONG');
    expect(tooLong.json<{ detail: string }>().detail).not.toContain('aaaa');
  });
});

describe('the CSRF token header', () => {
  it('an empty or oversized token is a 403 after the session check, never a 400', async () => {
    const built = await testApp(infra);
    const client = await startSession(built);
    for (const token of ['', 'x'.repeat(500)]) {
      expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': token } }), 403, 'CSRF_TOKEN_INVALID');
      expectProblem(await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { 'x-csrf-token': token } }), 401, 'SESSION_REQUIRED');
    }
  });
});

describeBodyRules('phase 2', async () => {
  const built = await testApp(infra);
  return async (url, headers, payload) => {
    const res = await built.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
    if (res.statusCode >= 400) expectProblem(res, res.statusCode, res.json<{ code: string }>().code);
    return { status: res.statusCode, code: res.json<{ code?: string }>().code, text: res.body };
  };
});
