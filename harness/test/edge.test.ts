/**
 * Phase 2's edge: what nginx itself answers, before or instead of an instance. Requests a browser
 * would never send are written on a raw socket, byte for byte, as an attacker or a broken client
 * would send them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as connectHttp2, type IncomingHttpHeaders } from 'node:http2';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { rawRequest, type RawAnswer } from '../src/raw-http.ts';
import { repoRoot } from '../src/paths.ts';
import { startPhase2Topology, type Phase2Topology } from '../src/topology.ts';

// Real processes under faults, which a loaded machine makes slow: two minutes per test unless it says more.
vi.setConfig({ testTimeout: 120_000 });

const cleanup = new Cleanup();
let topology: Phase2Topology;

beforeAll(async () => { topology = await startPhase2Topology(cleanup, { instances: 1, ha: false }); }, 120_000);
afterAll(() => cleanup.run(), 60_000);

/** Sends bytes as they are, through nginx. */
const raw = (request: string | Buffer): Promise<RawAnswer> => rawRequest(topology.url, request, { ca: readFileSync(topology.nginx.caFile, 'utf8') });

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

/** A TLS handshake with nginx: what was agreed, or the error that refused it. */
function handshake(options: ConnectionOptions): Promise<{ protocol: string | null; alpn: string | false | null } | { error: string }> {
  const { hostname, port } = new URL(topology.url);
  return new Promise((resolve) => {
    const socket = connectTls({ host: hostname, port: Number(port), ...options }, () => {
      resolve({ protocol: socket.getProtocol(), alpn: socket.alpnProtocol });
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => { resolve({ error: error.code ?? error.message }); });
  });
}

describe('TLS at the edge', () => {
  it('serves TLS 1.2 and 1.3 with a certificate the lab CA signed, HTTP/2 by ALPN, and refuses older TLS', async () => {
    const ca = readFileSync(topology.nginx.caFile, 'utf8');
    expect(await handshake({ ca, minVersion: 'TLSv1.3' })).toEqual({ protocol: 'TLSv1.3', alpn: false });
    expect(await handshake({ ca, maxVersion: 'TLSv1.2' })).toMatchObject({ protocol: 'TLSv1.2' });
    expect(await handshake({ ca, ALPNProtocols: ['h2', 'http/1.1'] })).toMatchObject({ alpn: 'h2' });
    // Verification is on: without the lab's CA the certificate is refused.
    expect(await handshake({})).toEqual({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    // TLS 1.1 is not offered (Node's own floor is 1.2, so ask for exactly 1.1 to see nginx refuse).
    expect(await handshake({ ca, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })).toHaveProperty('error');
  });

  it('answers over HTTP/2 with HSTS, and marks the session cookie Secure (the instance learns the scheme from nginx)', async () => {
    const session = connectHttp2(topology.url, { ca: readFileSync(topology.nginx.caFile, 'utf8') });
    try {
      const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/api/stateful/sessions' });
        stream.on('response', (h) => { resolve(h); stream.resume(); });
        stream.on('error', reject);
        stream.end();
      });
      expect(headers[':status']).toBe(201);
      expect(headers['strict-transport-security']).toBe('max-age=31536000');
      expect(String(headers['set-cookie'])).toMatch(/; Secure;/);
    } finally {
      session.close();
    }
    // nginx's own answers carry it as well.
    const own = await raw('GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(own.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('runs the docs\' example client against phase 2 as they quote it (NODE_EXTRA_CA_CERTS), and without the CA refuses', () => {
    const client = join(repoRoot, 'docs', 'examples', 'stateful-client.mjs');
    const trusted = spawnSync(process.execPath, [client, topology.url], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '.lab/tls/ca.pem' }, timeout: 60_000 });
    expect(trusted.status, trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(/< 201 .*set-cookie: sid=[^;]+; .*Secure/);
    expect(topology.nginx.caFile).toBe(join(repoRoot, '.lab', 'tls', 'ca.pem'));
    const untrusted = spawnSync(process.execPath, [client, topology.url], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, timeout: 60_000 });
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
  });

  it('redirects plain HTTP to https with 308, keeping the method, and sends no HSTS over plain HTTP', async () => {
    const answer = await rawRequest(topology.nginx.httpUrl, 'POST /api/stateful/sessions?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(308);
    expect(answer.headers.get('location')).toBe(`${topology.url}/api/stateful/sessions?x=1`);
    expect(answer.headers.has('strict-transport-security')).toBe(false);
    // fetch follows it, POST and all, and verifies the certificate at the end of it.
    const followed = await fetch(`${topology.nginx.httpUrl}/api/stateful/sessions`, { method: 'POST' });
    expect(followed.status).toBe(201);
    expect(followed.url).toBe(`${topology.url}/api/stateful/sessions`);
  });
});

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

  it('keeps the operators\' endpoints off the public entry: /metrics, /health and /admin/ are 404 there, the probes answer', async () => {
    for (const path of ['/metrics', '/health', '/health?verbose=1', '/admin/sessions', '/admin/sessions/lease']) {
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
        // A different (unknown) user each time, so that only the per-address limit is at work.
        body: JSON.stringify({ username: `visitor-${String(i)}`, password: 'not-a-password' }),
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
