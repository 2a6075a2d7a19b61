/** The harness starts a real phase process, and its cleanup stops it and removes its files. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { startPhase1 } from '../src/phases.ts';
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
