/** Idempotency-Key retries through Fastify and the Redis store, and across instances. */
import { describe, expect, it } from 'vitest';
import { describeIdempotentRetries } from 'core/test-suites';
import { startSession, testApp, useInfrastructure } from '../helpers.ts';
import type { Phase2App } from '../../src/app.ts';

const infra = useInfrastructure();

function sender(built: Phase2App) {
  return async (method: 'POST' | 'DELETE', url: string, { headers, body }: { headers: Record<string, string>; body?: unknown }) => {
    const response = await built.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: response.statusCode, headers: response.headers as Record<string, string>, body: response.json<unknown>() };
  };
}

describeIdempotentRetries('phase 2 (Fastify, sessions in Redis)', async () => {
  let now = Date.now();
  const built = await testApp(infra, {}, { now: () => now });
  return {
    sessions: built.sessions,
    advance: (ms: number) => { now += ms; },
    startSession: async () => {
      const client = await startSession(built);
      return { ...client, id: client.cookie.slice('sid='.length) };
    },
    send: sender(built),
  };
});

describe('a retry answered by another instance', () => {
  it('finds the first answer in Redis and applies nothing twice', async () => {
    const a = await testApp(infra, { INSTANCE_ID: 'api-a' });
    const b = await testApp(infra, { INSTANCE_ID: 'api-b' });
    const client = await startSession(a);
    const headers = { cookie: client.cookie, 'x-csrf-token': client.csrf, 'idempotency-key': 'across-instances' };
    const first = await sender(a)('POST', '/api/stateful/cart/items', { headers, body: { productId: 'kb-001', quantity: 1 } });
    const retried = await sender(b)('POST', '/api/stateful/cart/items', { headers, body: { productId: 'kb-001', quantity: 1 } });
    expect(first.status).toBe(200);
    expect(retried).toMatchObject({ status: 200, body: first.body, headers: { 'idempotent-replayed': 'true', 'x-served-by': 'phase2-production/api-b' } });
    expect((await a.app.inject({ method: 'GET', url: '/api/stateful/cart', headers: { cookie: client.cookie } })).json()).toMatchObject({ items: [{ productId: 'kb-001', quantity: 1 }], itemCount: 1 });
  });
});
