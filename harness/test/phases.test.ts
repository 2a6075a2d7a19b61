/** The harness starts a real phase process, and its cleanup stops it and removes its files. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { startPhase1 } from '../src/phases.ts';
import { startPhase2 } from '../src/phase2.ts';
import { startPostgres } from '../src/infra/postgres.ts';
import { startRedis } from '../src/infra/redis.ts';
import { freePort } from '../src/ports.ts';
import { rawRequest } from '../src/raw-http.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What Node's parser refuses, answered by the phase itself in problem+json (both phases share the code in core). */
async function expectParserRefusals(url: string): Promise<void> {
  const cases: [string, number, string][] = [
    ['GET /api/products <x>\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    [`GET /api/products HTTP/1.1\r\nHost: x\r\nX-Huge: ${'A'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
  ];
  for (const [request, status, code] of cases) {
    const answer = await rawRequest(url, request);
    expect(answer.status, answer.body).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status, code, requestId: answer.headers.get('x-request-id') });
    expect(answer.body).not.toContain('AAAA');
  }
}

describe('phase processes', () => {
  it('starts phase 1 on an OS-chosen port and cleans up the process and its temp dir', async () => {
    const cleanup = new Cleanup();
    const phase = await startPhase1(cleanup);
    const [child] = phase.processes;
    if (!child) throw new Error('no process');
    const live = await fetch(`${phase.url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.headers.get('x-served-by')).toBe('phase1-mock/mock-1');
    await expectParserRefusals(phase.url);
    expect(alive(child.pid)).toBe(true);
    const workDir = dirname(phase.maintenanceFile);
    expect(existsSync(workDir)).toBe(true);

    await cleanup.run();
    expect(child.exited()).toBe(true);
    expect(alive(child.pid)).toBe(false);
    expect(existsSync(workDir)).toBe(false);
    await expect(fetch(`${phase.url}/health/live`)).rejects.toThrow();
  });

  it('reports a phase that cannot start, with its output, and leaves nothing running', async () => {
    const cleanup = new Cleanup();
    await expect(startPhase1(cleanup, { PORT: 'not-a-port' })).rejects.toThrow(/exited .* before it was ready[\s\S]*PORT/);
    await cleanup.run();
  });

  it('hands out a port nobody is listening on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});

describe('REDIS_URL and DATABASE_URL: servers the harness did not start', () => {
  const saved = { ...process.env };
  afterEach(() => {
    delete process.env.REDIS_URL;
    delete process.env.DATABASE_URL;
    Object.assign(process.env, saved);
  });

  it('are used as given, never stopped, and take the default ports when none is written', async () => {
    process.env.REDIS_URL = 'redis://cache.example';
    process.env.DATABASE_URL = 'postgres://lab@db.example/lab';
    const cleanup = new Cleanup();
    const redis = await startRedis(cleanup);
    const postgres = await startPostgres(cleanup);
    expect([redis.port, postgres.port]).toEqual([6379, 5432]);
    expect([redis.process(), postgres.process()]).toEqual([null, null]);
    await expect(redis.stop()).rejects.toThrow('REDIS_URL is external: the harness does not stop it');
    await expect(postgres.stop()).rejects.toThrow('DATABASE_URL is external: the harness does not stop it');
    await cleanup.run();
  });

  it('get phase 2\'s migrations, and its instances use them', async () => {
    const owner = new Cleanup();
    const cleanup = new Cleanup();
    try {
      const [redis, postgres] = await Promise.all([startRedis(owner), startPostgres(owner)]);
      process.env.REDIS_URL = redis.url;
      process.env.DATABASE_URL = postgres.url;
      const phase2 = await startPhase2(cleanup);
      expect(phase2.stack.redis?.url).toBe(redis.url);
      expect(phase2.stack.postgres.url).toBe(postgres.url);
      // The catalog read from the external PostgreSQL, which the migration filled.
      const product = await fetch(`${phase2.url}/api/products/kb-001`);
      expect(product.status).toBe(200);
      await cleanup.run();
      // Stopping the stack left the external servers running.
      expect(redis.process()?.exited()).toBe(false);
      expect(postgres.process()?.exited()).toBe(false);
    } finally {
      await cleanup.run();
      await owner.run();
    }
  }, 120_000);
});
