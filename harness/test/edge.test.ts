/**
 * Phase 2's edge: what nginx itself answers, before or instead of an instance. Requests a browser
 * would never send are written on a raw socket, byte for byte, as an attacker or a broken client
 * would send them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { rawRequest, type RawAnswer } from '../src/raw-http.ts';
import { startPhase2Topology, type Phase2Topology } from '../src/topology.ts';

// Real processes under faults, which a loaded machine makes slow: two minutes per test unless it says more.
vi.setConfig({ testTimeout: 120_000 });

const cleanup = new Cleanup();
let topology: Phase2Topology;

beforeAll(async () => { topology = await startPhase2Topology(cleanup, { instances: 1, ha: false }); }, 120_000);
afterAll(() => cleanup.run(), 60_000);

/** Sends bytes as they are, through nginx. */
const raw = (request: string | Buffer): Promise<RawAnswer> => rawRequest(topology.url, request);

/** nginx's own error, in the contract's problem+json, echoing nothing of the request. */
function expectEdgeProblem(answer: RawAnswer, status: number, code: string, notEchoed?: string): void {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.headers.get('server')).toBe('nginx');
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `/problems/${code.toLowerCase().replaceAll('_', '-')}` });
  expect(typeof body.title).toBe('string');
  expect(body.requestId).toBe(answer.headers.get('x-request-id'));
  if (notEchoed !== undefined) expect(answer.body).not.toContain(notEchoed);
}

describe('nginx answers its own errors in problem+json, without echoing the request', () => {
  it('a request line that is not HTTP: 400 MALFORMED_REQUEST', async () => {
    expectEdgeProblem(await raw('GET /api/products <script>\r\n\r\n'), 400, 'MALFORMED_REQUEST', '<script>');
  });

  it('a header larger than the edge takes: 431 HEADERS_TOO_LARGE', async () => {
    const huge = `x${'A'.repeat(20_000)}`;
    expectEdgeProblem(await raw(`GET /api/products HTTP/1.1\r\nHost: localhost\r\nX-Huge: ${huge}\r\nConnection: close\r\n\r\n`), 431, 'HEADERS_TOO_LARGE', huge);
  });

  it('a 2 MB body: 413 PAYLOAD_TOO_LARGE, before any instance reads it', async () => {
    const body = `{"value":"${'9'.repeat(2 * 1024 * 1024)}"}`;
    expectEdgeProblem(await raw(`POST /api/stateless/counter HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a URI longer than the edge takes: 414 URI_TOO_LONG', async () => {
    const path = `/api/products/${'a'.repeat(20_000)}`;
    expectEdgeProblem(await raw(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`), 414, 'URI_TOO_LONG', 'aaaaaaaaaa');
  });

  it('TRACE: 405 METHOD_NOT_ALLOWED; an unknown transfer encoding: 501 NOT_IMPLEMENTED', async () => {
    expectEdgeProblem(await raw('TRACE /api/products HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'), 405, 'METHOD_NOT_ALLOWED');
    expectEdgeProblem(await raw('POST /api/stateless/counter HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n'), 501, 'NOT_IMPLEMENTED');
  });

  it('keeps a caller request id that is a short token, and replaces anything else with a UUID', async () => {
    const kept = await raw('GET /api/stateless/info HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: trace-42.a\r\nConnection: close\r\n\r\n');
    expect(kept.status).toBe(200);
    expect(kept.headers.get('x-request-id')).toBe('trace-42.a');
    for (const hostile of ['a"b', 'x'.repeat(200), '']) {
      const replaced = await raw(`GET /api/stateless/info HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: ${hostile}\r\nConnection: close\r\n\r\n`);
      expect(replaced.headers.get('x-request-id'), hostile).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    // Letters no generated id has, so finding them would mean the header was echoed.
    const bad = await raw('GET /api/stateless/info <x>\r\nX-Request-Id: zq"}\r\n\r\n');
    expectEdgeProblem(bad, 400, 'MALFORMED_REQUEST', 'zq');
  });

  it('keeps the operators\' endpoints off the public entry: /metrics and /health are 404 there, the probes answer', async () => {
    for (const path of ['/metrics', '/health', '/health?verbose=1']) {
      expectEdgeProblem(await raw(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`), 404, 'ROUTE_NOT_FOUND');
    }
    expect((await fetch(`${topology.url}/health/ready`)).status).toBe(200);
    const instance = topology.instances[0];
    expect((await fetch(`${instance?.url ?? ''}/metrics`)).status).toBe(200);
  });

  it('counts sign-in attempts by the peer nginx sees, whatever X-Forwarded-For a client sends', async () => {
    const statuses: number[] = [];
    // The instance allows 20 a minute per client (AUTH_RATE_LIMIT_MAX's default).
    for (let i = 0; i < 25; i += 1) {
      const response = await fetch(`${topology.url}/api/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}`, 'x-real-ip': `198.51.100.${i}` },
        body: JSON.stringify({ username: 'alice', password: 'not-her-password' }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
  });

  // Last: it takes the only instance away.
  it('no instance left: 502 UPSTREAM_UNAVAILABLE, not an HTML page', async () => {
    const instance = topology.instances[0];
    await instance?.process?.stop();
    expectEdgeProblem(await raw('GET /api/products HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'), 502, 'UPSTREAM_UNAVAILABLE');
  });
});
