/**
 * The measurement itself, against a stand-in target whose answers are known: every answer is
 * counted by status, a warm-up is discarded, a target that does not answer is measured as 0 with
 * its errors counted, and the contract sample flags an answer the contract does not allow (a
 * checker that could not flag one would pass the real phases unnoticed).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseValidator } from 'contract';
import { measure } from '../src/measure.ts';
import { freePort } from 'harness';

let server: Server;
let base = '';
let served = 0;
const load = { connections: 2, pipelining: 1, warmupSeconds: 1, roundSeconds: 1, rounds: 2 };

beforeAll(async () => {
  server = createServer((req, res) => {
    served += 1;
    req.resume();
    // Not the contract's info object, and in plain text.
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); }));

describe('measure', () => {
  it('counts every answer of each round by status, discards the warm-up, and flags answers off the contract', async () => {
    const row = await measure('stateless info', 'stand-in', base, [{ method: 'GET', path: '/api/stateless/info', template: '/api/stateless/info' }], load, responseValidator());
    expect(row.rounds).toHaveLength(2);
    const measured = row.rounds.reduce((n, r) => n + r.requests, 0);
    for (const round of row.rounds) expect(round.statusCounts).toEqual({ 200: round.requests });
    // The warm-up's answers were served but are in no round (the 3 sample requests come after).
    expect(served - 3).toBeGreaterThan(measured);
    expect(row.requestsPerSecond).toBeGreaterThan(0);
    expect(row.non2xx).toBe(0);
    expect(row.contractSample.checked).toBe(3);
    expect(row.contractSample.violations).toHaveLength(3);
    expect(row.contractSample.violations[0]).toMatch(/^GET \/api\/stateless\/info 200: /);
  }, 60_000);

  it('times each answer from its own request when the server closes keep-alive connections, as nginx does every 1,000 requests', async () => {
    // Every 10th answer on a connection says Connection: close, and Node closes it after sending.
    const answered = new WeakMap<object, number>();
    const closing = createServer((req, res) => {
      req.resume();
      const count = (answered.get(req.socket) ?? 0) + 1;
      answered.set(req.socket, count);
      res.writeHead(200, { 'content-type': 'text/plain', ...(count % 10 === 0 ? { connection: 'close' } : {}) }).end('hello');
    });
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    const address = closing.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const row = await measure('stateless info', 'closing', url, [{ method: 'GET', path: '/', template: '/' }], { ...load, warmupSeconds: 0, rounds: 1, roundSeconds: 2 }, null);
      expect(row.requestsPerSecond).toBeGreaterThan(0);
      // Little's law: each connection has one request out at a time, so a request takes at most
      // connections ÷ throughput on average. Timed from an older request instead, the median grows
      // by one round trip with every close (hundreds of them here).
      const cycleMs = (load.connections / row.requestsPerSecond) * 1000;
      expect(row.p50Ms).toBeLessThanOrEqual(3 * cycleMs);
    } finally {
      await new Promise<void>((resolve) => { closing.close(() => { resolve(); }); closing.closeAllConnections(); });
    }
  }, 60_000);

  it('measures a target that does not answer as 0 requests per second, its errors counted, its spread 0', async () => {
    const port = await freePort();
    const row = await measure('stateless info', 'nobody', `http://127.0.0.1:${port}`, [{ method: 'GET', path: '/', template: '/' }], { ...load, warmupSeconds: 0, rounds: 1 }, null);
    expect(row.requestsPerSecond).toBe(0);
    expect(row.spread).toBe(0);
    expect(row.errors).toBeGreaterThan(0);
    expect(row.contractSample).toEqual({ checked: 0, violations: [] });
  }, 60_000);
});
