/** Cross-cutting behaviour: shared rate limit, draining, headers, metrics, configuration. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { expectProblem, startSession, testApp, useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();

describe('rate limit shared through Redis', () => {
  it('counts one budget per client and operation across instances', async () => {
    const env = { AUTH_RATE_LIMIT_MAX: '4', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' };
    const a = await testApp(infra, { ...env, INSTANCE_ID: 'api-a' });
    const b = await testApp(infra, { ...env, INSTANCE_ID: 'api-b' });
    const attempt = (built: typeof a) => built.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'alice', password: 'wrong' } });
    expect((await attempt(a)).statusCode).toBe(401);
    expect((await attempt(b)).statusCode).toBe(401);
    expect((await attempt(a)).statusCode).toBe(401);
    expect((await attempt(b)).statusCode).toBe(401);
    const limited = await attempt(a);
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The draft's header names, as phase 1 sends them.
    expect(limited.headers).toMatchObject({ 'ratelimit-limit': '4', 'ratelimit-remaining': '0' });
    expect(Object.keys(limited.headers).filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
    expectProblem(await attempt(b), 429, 'RATE_LIMITED');
    // Another operation has its own budget, and reads have none.
    expect((await b.app.inject({ method: 'POST', url: '/api/stateful/sessions' })).statusCode).toBe(201);
    expect((await b.app.inject({ method: 'GET', url: '/api/products' })).statusCode).toBe(200);
  });
});

describe('shutting down', () => {
  it('draining and handing over: serves every request, reports not ready; handing over, each answer closes its connection', async () => {
    const built = await testApp(infra);
    built.lifecycle.state = 'draining';
    const served = await built.app.inject({ method: 'GET', url: '/api/products' });
    expect(served.statusCode).toBe(200);
    expect(served.headers.connection).not.toBe('close');
    expect((await built.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    built.lifecycle.state = 'handing-over';
    const client = await startSession(built);
    const last = await built.app.inject({ method: 'POST', url: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf } });
    expect(last.statusCode).toBe(200);
    expect(last.headers.connection).toBe('close');
    expect((await built.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
  });

  it('stopping: answers 503 SHUTTING_DOWN with Connection: close, keeps liveness', async () => {
    const built = await testApp(infra);
    built.lifecycle.state = 'stopping';
    const refused = await built.app.inject({ method: 'GET', url: '/api/products' });
    expectProblem(refused, 503, 'SHUTTING_DOWN');
    expect(refused.headers.connection).toBe('close');
    expect((await built.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    expect((await built.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});

describe('headers, cookies and metrics', () => {
  it('sends request id, instance, security headers and a hardened cookie', async () => {
    const built = await testApp(infra, { INSTANCE_ID: 'api-7', COOKIE_SECURE: 'true' });
    const res = await built.app.inject({ method: 'POST', url: '/api/stateful/sessions', headers: { 'x-request-id': 'trace-1' } });
    expect(res.headers['x-request-id']).toBe('trace-1');
    expect(res.headers['x-served-by']).toBe('phase2-production/api-7');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // HSTS is the TLS edge's to send (nginx), not a plain-HTTP instance's.
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(String(res.headers['set-cookie'])).toMatch(/^sid=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('marks the cookie Secure when the trusted proxy says the client came over TLS, and only then', async () => {
    const built = await testApp(infra, { TRUST_PROXY: '127.0.0.1' });
    const cookieFor = async (remoteAddress: string, proto?: string) => String((await built.app.inject({
      method: 'POST', url: '/api/stateful/sessions', remoteAddress, headers: proto === undefined ? {} : { 'x-forwarded-proto': proto },
    })).headers['set-cookie']);
    expect(await cookieFor('127.0.0.1', 'https')).toContain('; Secure;');
    expect(await cookieFor('127.0.0.1')).not.toContain('Secure');
    // A client that is not the proxy cannot claim TLS it did not use.
    expect(await cookieFor('203.0.113.9', 'https')).not.toContain('Secure');
  });

  it('counts requests by contract route and reports Redis-wide live sessions', async () => {
    const a = await testApp(infra, { INSTANCE_ID: 'api-a' });
    const b = await testApp(infra, { INSTANCE_ID: 'api-b' });
    await startSession(a);
    await startSession(b);
    await a.app.inject({ method: 'GET', url: '/api/products/kb-001' });
    const metrics = await b.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    expect(metrics.body).toMatch(/^sessions_live\{store="redis",phase="phase2-production",instance="api-b"\} 2$/m);
    const own = (await a.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(own).toContain('http_requests_total{method="GET",route="/api/products/{productId}",status="200",phase="phase2-production",instance="api-a"} 1');
    expect(own).toContain('audit_events_pending');
  });
});

describe('configuration', () => {
  it('names the variable that is missing or wrong', () => {
    const base = { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: 's'.repeat(32) };
    expect(() => loadConfig({ ...base, JWT_SECRET: undefined })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...base, REDIS_URL: undefined })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ ...base, REDIS_SENTINELS: '127.0.0.1' })).toThrow(/REDIS_SENTINELS/);
    expect(loadConfig({ ...base, REDIS_URL: undefined, REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380' }).redis).toEqual({
      kind: 'sentinel',
      masterName: 'lab-primary',
      sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }],
    });
  });
});

describe('the catalog in PostgreSQL', () => {
  it('pages through the products, and still counts them all on a page past the end', async () => {
    const built = await testApp(infra);
    const first = (await built.app.inject({ method: 'GET', url: '/api/products?limit=2&offset=0' })).json<{ items: { id: string }[]; total: number }>();
    expect(first.items).toHaveLength(2);
    const past = await built.app.inject({ method: 'GET', url: `/api/products?limit=5&offset=${String(first.total + 10)}` });
    expect(past.statusCode).toBe(200);
    expect(past.json()).toEqual({ items: [], total: first.total, limit: 5, offset: first.total + 10 });
  });
});
