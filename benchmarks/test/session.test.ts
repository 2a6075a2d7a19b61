/**
 * A benchmark's session on a target that is still settling after a fault: a 503 is waited out (a
 * replica resyncing, a failover finishing), anything else is an error that says what it was.
 * The target here is a stand-in that answers from a script; the real ones are in the smoke run.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session } from '../src/environment.ts';

/** Status codes to answer POST /api/stateful/sessions with, by the first path segment. */
const scripts: Record<string, number[]> = { settling: [503, 503, 201], broken: [500], slow: [503] };
const calls = new Map<string, number>();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '').split('/')[1] ?? '';
    const n = calls.get(name) ?? 0;
    calls.set(name, n + 1);
    const steps = scripts[name] ?? [404];
    const status = steps[Math.min(n, steps.length - 1)] ?? 404;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 201 ? { 'set-cookie': 'sid=s1; HttpOnly' } : {}) }).end(JSON.stringify(status === 201 ? { csrfToken: 'csrf-1' } : {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }));

describe('session()', () => {
  it('waits out 503s and returns the session the target then gives', async () => {
    expect(await session(`${base}/settling`)).toEqual({ cookie: 'sid=s1', csrf: 'csrf-1' });
    expect(calls.get('settling')).toBe(3);
  });

  it('gives up at once on another status, and after its bound on 503s, saying which', async () => {
    await expect(session(`${base}/broken`)).rejects.toThrow(`${base}/broken: could not start a session (HTTP 500)`);
    await expect(session(`${base}/slow`, 300)).rejects.toThrow(`${base}/slow: could not start a session (HTTP 503)`);
  });
});
