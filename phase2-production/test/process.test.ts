/**
 * Real phase 2 processes, started by the harness: sessions outlive the process that made them,
 * SIGTERM drains and flushes the audit trail, and the migration from a running phase 1 keeps
 * every client's cookie working.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { Cleanup, rawRequest, runMigrate, startPhase1, startPhase2Infrastructure, startPhase2Instance, type Phase2Stack } from 'harness';

// Every test here starts real processes, which a loaded machine makes slow: two minutes each.
vi.setConfig({ testTimeout: 120_000 });

const cleanup = new Cleanup();
let stack: Phase2Stack;

beforeAll(async () => { stack = await startPhase2Infrastructure(cleanup); });
afterAll(() => cleanup.run());

async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: () => JSON.parse(text) as Record<string, unknown>, text };
}

async function sessionEvents(): Promise<{ event: string; instance: string }[]> {
  const client = new pg.Client({ connectionString: stack.postgres.url });
  await client.connect();
  try {
    return (await client.query<{ event: string; instance: string }>('SELECT event, instance FROM session_events ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}

describe('a phase 2 process restart', () => {
  it('keeps every session: the state was never in the process', async () => {
    const first = await startPhase2Instance(cleanup, stack, 'api-restart-1');
    const created = await call(`${first.url}/api/stateful/sessions`, { method: 'POST' });
    const cookie = (created.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const csrf = String(created.json().csrfToken);
    for (let i = 0; i < 3; i += 1) await call(`${first.url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    await first.process.stop();
    expect(first.process.exited()).toBe(true);

    const second = await startPhase2Instance(cleanup, stack, 'api-restart-2');
    const read = await call(`${second.url}/api/stateful/counter`, { headers: { cookie } });
    expect(read.status).toBe(200);
    expect(read.json()).toEqual({ value: 3 });
    expect(read.headers.get('x-served-by')).toBe('phase2-production/api-restart-2');
    await second.process.stop();
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM: stops cleanly (exit 0) and writes the buffered audit events first', async () => {
    // A flush interval longer than the test: only the shutdown flush can write these events.
    const instance = await startPhase2Instance(cleanup, stack, 'api-drain', { AUDIT_FLUSH_INTERVAL_MS: '60000' });
    for (let i = 0; i < 5; i += 1) expect((await call(`${instance.url}/api/stateful/sessions`, { method: 'POST' })).status).toBe(201);
    expect((await sessionEvents()).filter((row) => row.instance === 'api-drain')).toHaveLength(0);
    instance.process.kill('SIGTERM');
    const { code } = await instance.process.exit;
    expect(code).toBe(0);
    expect((await sessionEvents()).filter((row) => row.instance === 'api-drain' && row.event === 'created')).toHaveLength(5);
  });
});

describe("what Node's parser refuses", () => {
  it('is answered in problem+json by the instance itself, echoing nothing', async () => {
    const instance = await startPhase2Instance(cleanup, stack, 'api-parser');
    for (const [request, status, code] of [
      ['GET /api/products <x>\r\n\r\n', 400, 'MALFORMED_REQUEST'],
      [`GET /api/products HTTP/1.1\r\nHost: x\r\nX-Huge: ${'A'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ] as const) {
      const answer = await rawRequest(instance.url, request);
      expect(answer.status, answer.body).toBe(status);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status, code, requestId: answer.headers.get('x-request-id') });
      expect(answer.body).not.toContain('AAAA');
    }
    await instance.process.stop();
  });
});

describe('hand-over', () => {
  it('on SIGTERM with a drain delay: still serves while not ready, then refuses new connections, then exits 0', async () => {
    const instance = await startPhase2Instance(cleanup, stack, 'api-hand-over', { SHUTDOWN_DRAIN_DELAY_MS: '5000' });
    instance.process.kill('SIGTERM');
    // Each call below opens its own connection (a new client each time), as a balancer's probe does.
    const fresh = (path: string) => fetch(`${instance.url}${path}`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) });
    const refused = (error: unknown) => /ECONNREFUSED/.test(String((error as Error).cause ?? error));
    // Not ready while draining; on a stalled machine the delay may be over before the first look,
    // and then the connection is already refused: both are right, a 200 is not.
    const ready = await vi.waitFor(async () => {
      const answer = await fresh('/health/ready').then((response) => response.status, (error: unknown) => (refused(error) ? 'refused' : error));
      expect([503, 'refused']).toContain(answer);
      return answer;
    }, { timeout: 15_000, interval: 50 });
    if (ready === 503) {
      const served = await fresh('/api/products/kb-001').then((response) => response.status, (error: unknown) => (refused(error) ? 'refused' : error));
      expect([200, 'refused']).toContain(served);
    }
    await vi.waitFor(async () => {
      expect(await fresh('/health/live').then(() => 'answered', (error: unknown) => (refused(error) ? 'refused' : error))).toBe('refused');
    }, { timeout: 30_000, interval: 50 });
    const { code } = await instance.process.exit;
    expect(code).toBe(0);
  });
});

describe('migration from a running phase 1', () => {
  it('moves data and live sessions intact, so cookies keep working; running it twice changes nothing', async () => {
    const adminToken = 'admin-token-for-the-migration-test';
    const phase1 = await startPhase1(cleanup, { ADMIN_TOKEN: adminToken, SESSION_TTL_SECONDS: '600' });
    const clients: { cookie: string; csrf: string }[] = [];
    for (const credentials of [undefined, { username: 'alice', password: 'wonderland' }]) {
      const res = await call(`${phase1.url}/api/stateful/sessions`, {
        method: 'POST',
        ...(credentials ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) } : {}),
      });
      clients.push({ cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: String(res.json().csrfToken) });
    }
    const [guest, alice] = clients as [{ cookie: string; csrf: string }, { cookie: string; csrf: string }];
    await call(`${phase1.url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie: guest.cookie, 'x-csrf-token': guest.csrf } });
    await call(`${phase1.url}/api/stateful/cart/items`, {
      method: 'POST',
      headers: { cookie: alice.cookie, 'x-csrf-token': alice.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ productId: 'mn-003', quantity: 2 }),
    });
    const before = { guest: (await call(`${phase1.url}/api/stateful/sessions/current`, { headers: { cookie: guest.cookie } })).json(), aliceCart: (await call(`${phase1.url}/api/stateful/cart`, { headers: { cookie: alice.cookie } })).json() };

    const args = ['--sessions-from', phase1.url];
    const output = await runMigrate({ ...stack.env, PHASE1_ADMIN_TOKEN: adminToken }, args);
    expect(output).toMatch(/moved 2 live sessions/);
    expect(await runMigrate({ ...stack.env, PHASE1_ADMIN_TOKEN: adminToken }, args)).toMatch(/schema already current[\s\S]*loaded 2 users and 12 products[\s\S]*moved 2 live sessions/);

    const phase2 = await startPhase2Instance(cleanup, stack, 'api-after-cutover');
    const guestAfter = await call(`${phase2.url}/api/stateful/sessions/current`, { headers: { cookie: guest.cookie } });
    expect(guestAfter.status).toBe(200);
    expect(guestAfter.json()).toMatchObject({ kind: 'guest', user: null, csrfToken: guest.csrf, createdAt: before.guest.createdAt });
    expect((await call(`${phase2.url}/api/stateful/counter`, { headers: { cookie: guest.cookie } })).json()).toEqual({ value: 1 });
    expect((await call(`${phase2.url}/api/stateful/cart`, { headers: { cookie: alice.cookie } })).json()).toEqual(before.aliceCart);
    expect((await call(`${phase2.url}/api/stateful/sessions/current`, { headers: { cookie: alice.cookie } })).json()).toMatchObject({ kind: 'user', user: { username: 'alice' } });
    // The CSRF token came along too: a mutation with the phase 1 token works on phase 2.
    expect((await call(`${phase2.url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie: guest.cookie, 'x-csrf-token': guest.csrf } })).json()).toEqual({ value: 2 });
    // The data: the same products and users, with the phase 1 password hashes.
    expect((await call(`${phase2.url}/api/products?limit=100`)).json()).toMatchObject({ total: 12 });
    expect((await call(`${phase2.url}/api/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bob', password: 'builder' }) })).status).toBe(200);
    await phase2.process.stop();
  });

  it('refuses to export without the admin token', async () => {
    const phase1 = await startPhase1(cleanup, { ADMIN_TOKEN: 'admin-token-for-the-migration-test' });
    expect((await call(`${phase1.url}/admin/sessions`)).status).toBe(401);
    expect((await call(`${phase1.url}/admin/sessions`, { headers: { authorization: 'Bearer wrong-token-of-the-same-size!!!!!' } })).status).toBe(401);
    await expect(runMigrate({ ...stack.env, PHASE1_ADMIN_TOKEN: 'wrong' }, ['--skip-data', '--sessions-from', phase1.url])).rejects.toThrow(/refused the session export: HTTP 401/);
    await expect(runMigrate({ ...stack.env, PHASE1_ADMIN_TOKEN: '' }, ['--skip-data', '--sessions-from', phase1.url])).rejects.toThrow(/--sessions-from needs PHASE1_ADMIN_TOKEN/);
  });
});

describe('a phase 2 process that cannot serve', () => {
  it('refuses a configuration it cannot use, naming the setting', async () => {
    const refused = startPhase2Instance(cleanup, stack, 'api-misconfigured', { JWT_SECRET: 'too short' });
    await expect(refused).rejects.toThrow(/phase2-production: invalid configuration: .*JWT_SECRET/);
    await expect(refused).rejects.not.toThrow(/\n\s+at /);
  });

  it('refuses to start on a database whose schema is behind, naming the command that brings it up to date', async () => {
    const admin = new pg.Client({ connectionString: stack.postgres.url });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE schema_behind');
    } finally {
      await admin.end();
    }
    const behind = new URL(stack.postgres.url);
    behind.pathname = '/schema_behind';
    await expect(startPhase2Instance(cleanup, stack, 'api-behind', { DATABASE_URL: behind.href })).rejects.toThrow(/the database schema is behind: run `npm run migrate -w phase2-production`/);
  });
});
