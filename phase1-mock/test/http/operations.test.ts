/** Cross-cutting behaviour: request ids, maintenance mode, rate limit, metrics, health, config. */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { expectProblem, tempDir, testApp } from '../helpers.ts';

describe('request ids and instance', () => {
  it('echoes a safe caller id, replaces an unsafe one, and names the instance', async () => {
    const { app } = testApp({ INSTANCE_ID: 'mock-7' });
    const echoed = await request(app).get('/api/stateless/info').set('X-Request-Id', 'trace-123.abc');
    expect(echoed.headers['x-request-id']).toBe('trace-123.abc');
    expect(echoed.body).toMatchObject({ requestId: 'trace-123.abc', phase: 'phase1-mock', instance: 'mock-7' });
    expect(echoed.headers['x-served-by']).toBe('phase1-mock/mock-7');
    const replaced = await request(app).get('/api/stateless/info').set('X-Request-Id', 'a value with spaces and <angle> brackets');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const error = await request(app).get('/api/products/zz-999');
    expect(error.headers['x-served-by']).toBe('phase1-mock/mock-7');
    expect((error.body as { requestId: string }).requestId).toBe(error.headers['x-request-id']);
  });
});

describe('maintenance mode', () => {
  it('answers 503 with Retry-After while the file exists, keeps probes up, and recovers', async () => {
    const file = join(tempDir(), 'maintenance');
    const { app } = testApp({ MAINTENANCE_FILE: file });
    expect((await request(app).get('/api/products')).status).toBe(200);
    writeFileSync(file, '');
    await vi.waitFor(async () => { expect((await request(app).get('/health/ready')).status).toBe(503); });
    const refused = await request(app).get('/api/products');
    expectProblem(refused, 503, 'MAINTENANCE');
    expect(refused.headers['retry-after']).toBe('30');
    expect((await request(app).get('/health/live')).status).toBe(200);
    expect((await request(app).get('/metrics')).status).toBe(200);
    const health = await request(app).get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'fail', checks: expect.arrayContaining([expect.objectContaining({ name: 'maintenance', status: 'fail' })]) as unknown });
    rmSync(file);
    await vi.waitFor(async () => { expect((await request(app).get('/api/products')).status).toBe(200); });
  });
});

describe('rate limit on credential operations', () => {
  it('answers 429 with Retry-After past the limit, counting per operation, and leaves reads alone', async () => {
    const { app } = testApp({ AUTH_RATE_LIMIT_MAX: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' });
    for (let i = 0; i < 3; i += 1) expect((await request(app).post('/api/auth/tokens').send({ username: 'alice', password: 'x' })).status).toBe(401);
    const limited = await request(app).post('/api/auth/tokens').send({ username: 'alice', password: 'wonderland' });
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-remaining': '0' });
    expect((await request(app).post('/api/stateful/sessions')).status).toBe(201);
    expect((await request(app).get('/api/products')).status).toBe(200);
  });
});

describe('metrics and health', () => {
  it('counts requests by contract route and status, and reports live sessions', async () => {
    const { app } = testApp();
    await request(app).get('/api/products/kb-001');
    await request(app).get('/api/products/zz-999');
    await request(app).post('/api/stateful/sessions');
    const metrics = await request(app).get('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    expect(metrics.text).toContain('http_requests_total{method="GET",route="/api/products/{productId}",status="200",phase="phase1-mock",instance="mock-1"} 1');
    expect(metrics.text).toContain('route="/api/products/{productId}",status="404"');
    expect(metrics.text).toMatch(/^sessions_live\{[^}]*\} 1$/m);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
  });

  it('reports each check with its latency', async () => {
    const { app } = testApp();
    const health = await request(app).get('/health');
    expect(health.status).toBe(200);
    expect((health.body as { checks: { name: string }[] }).checks.map((c) => c.name)).toEqual(['maintenance', 'sessionStore', 'catalog']);
  });
});

describe('configuration', () => {
  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ SESSION_TTL_SECONDS: '0' })).toThrow(/SESSION_TTL_SECONDS/);
  });

  it('makes up a JWT key only when none is given, and says so', () => {
    expect(loadConfig({}).jwtSecretFromEnv).toBe(false);
    expect(loadConfig({ JWT_SECRET: 'k'.repeat(32) })).toMatchObject({ jwtSecret: 'k'.repeat(32), jwtSecretFromEnv: true });
  });
});
