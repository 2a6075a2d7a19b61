/**
 * The checkers: the lab's virtual users and the durability check of the fault tests and the
 * failover benchmark. Only a client knows what it was acknowledged, so a loss is counted on the
 * client's side. Against the real phases nothing is lost unless a fault loses it, so a checker that
 * could not count a loss would pass there unnoticed; here a stand-in phase that answers from a
 * script shows each case a checker must count: a refused sign-in, a counter that went back, a
 * server error, a session forgotten, a counter above what was sent, a store that never answers.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crowdMetrics, startCrowd } from '../src/lab/crowd.ts';
import { checkAcknowledged, failures, mixedSessionLoad, safeToResend, startSession, steadyLoad, type WriterTally } from '../src/load.ts';

/** What the stand-in answers to the n-th call of a path (the last entry from then on). */
const script: Record<string, { status: number; body?: object; headers?: Record<string, string> }[]> = {
  '/api/stateful/sessions': [
    { status: 503, body: {}, headers: { 'retry-after': '0' } },
    { status: 201, body: { csrfToken: 'csrf-1' }, headers: { 'set-cookie': 'sid=one; HttpOnly' } },
  ],
  '/api/stateful/counter/increment': [
    { status: 200, body: { value: 1 } },
    { status: 200, body: { value: 2 } },
    // Acknowledged 2, then told 1 after one more increment: the server held 0, both acknowledged changes lost.
    { status: 200, body: { value: 1 } },
    { status: 503, body: {} },
    // Forgotten: the session and the 1 acknowledged on it are lost.
    { status: 401, body: {} },
  ],
  // A session answered without its cookie: nothing a client could keep.
  '/no-cookie/api/stateful/sessions': [{ status: 201, body: { csrfToken: 'csrf-2' } }],
  // The steady load's own path: a server error on its second request.
  '/load/counter': [
    { status: 200, body: { value: 1 } },
    { status: 500, body: {} },
    { status: 200, body: { value: 2 } },
  ],
  '/api/stateless/counter': [
    { status: 200, body: { value: 1 } },
    { status: 500, body: {} },
    { status: 200, body: { value: 2 } },
  ],
};
/** GET /api/stateful/counter, by session: what the store holds (a status, then a value), call after call. */
const counters: Record<string, [number, number][]> = {
  'sid=kept': [[200, 5]],
  'sid=short': [[200, 3]],
  'sid=over': [[200, 9]],
  'sid=gone': [[401, 0]],
  'sid=busy': [[503, 0]],
  'sid=settling': [[503, 0], [200, 2]],
};
/** Sessions whose read the stand-in answers by closing the connection: no answer at all. */
const dropped = new Set(['sid=dropped']);
const calls = new Map<string, number>();
const contentTypes = new Map<string, string | undefined>();
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (req.method === 'GET' && path === '/api/stateful/counter') {
      const cookie = req.headers.cookie ?? '';
      if (dropped.has(cookie)) {
        req.socket.destroy();
        return;
      }
      const n = calls.get(cookie) ?? 0;
      calls.set(cookie, n + 1);
      const reads = counters[cookie] ?? [[404, 0]];
      const [status, value] = reads[Math.min(n, reads.length - 1)] ?? [404, 0];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { value } : {}));
      return;
    }
    const n = calls.get(path) ?? 0;
    calls.set(path, n + 1);
    contentTypes.set(path, req.headers['content-type']);
    const steps = script[path] ?? [{ status: 404 }];
    const step = steps[Math.min(n, steps.length - 1)] ?? { status: 404 };
    req.resume();
    res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(JSON.stringify(step.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within 30 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a virtual user', () => {
  it('counts a refused sign-in, a lost change, a server error and a forgotten session, as it lives them', async () => {
    const crowd = startCrowd('stand-in', url, { stateful: 1, stateless: 1, pauseMs: 5, signInAgainAfterMs: 60_000 });
    const metrics = crowdMetrics();
    metrics.track(crowd);
    try {
      await until(() => crowd.counts().sessionsLost === 1, 'the session forgotten');
      await until(() => crowd.counts().stateless.working === 1 && (calls.get('/api/stateless/counter') ?? 0) >= 3, 'the stateless user past its failure');
      const counts = crowd.counts();
      // Signed out, waiting to sign in again (a minute, longer than this test).
      expect(counts.stateful).toEqual({ 'signed-in': 0, 'signed-out': 1, failing: 0 });
      // Two changes lost when the counter went back from 2 to 1, and the one the forgotten session held.
      expect(counts.acknowledgedLost).toBe(3);
      // The 503 sign-in, the 503 increment, the 500 stateless call: each a failure, none a loss.
      expect(counts.failures).toBe(3);
      // Every request counted is one the server saw, counted once the users stopped: while they run,
      // a request the server has seen may not have been answered, and so counted, yet.
      await crowd.stop();
      expect(crowd.counts().requests).toBe((calls.get('/api/stateful/sessions') ?? 0) + (calls.get('/api/stateful/counter/increment') ?? 0) + (calls.get('/api/stateless/counter') ?? 0));

      const exposed = await metrics.registry.metrics();
      expect(exposed).toContain('lab_crowd_sessions_lost_total{phase="stand-in"} 1');
      expect(exposed).toContain('lab_crowd_acknowledged_changes_lost_total{phase="stand-in"} 3');
      expect(exposed).toContain('lab_crowd_users{phase="stand-in",kind="stateful",state="signed-out"} 1');
      // A second scrape adds nothing that did not happen.
      expect(await metrics.registry.metrics()).toContain('lab_crowd_sessions_lost_total{phase="stand-in"} 1');
    } finally {
      await crowd.stop();
    }
  });

  it('counts a phase that does not answer at all as failures, and loses nothing it was never given', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => { closed.close(() => { resolve(); }); });
    const crowd = startCrowd('nobody', `http://127.0.0.1:${port}`, { stateful: 1, stateless: 1, pauseMs: 5 });
    try {
      await until(() => crowd.counts().failures >= 4 && crowd.counts().stateless.failing === 1, 'failures counted');
      expect(crowd.counts()).toMatchObject({ sessionsLost: 0, acknowledgedLost: 0, stateful: { 'signed-in': 0, 'signed-out': 0, failing: 0 } });
    } finally {
      await crowd.stop();
    }
  });
});

describe('the durability check', () => {
  const tally = (cookie: string, acknowledged: number, attempted: number): WriterTally => ({ client: { cookie, csrf: 'c' }, acknowledged, attempted, lastValue: acknowledged });

  it('reads every session back and counts what it no longer holds, what it holds twice, and what it cannot read', async () => {
    const check = await checkAcknowledged(url, [tally('sid=kept', 5, 6), tally('sid=short', 5, 6), tally('sid=over', 5, 6), tally('sid=gone', 4, 4), tally('sid=busy', 1, 1), tally('sid=settling', 2, 2), tally('sid=dropped', 3, 3)], 2000);
    expect(check).toEqual({
      sessions: 7,
      sessionsLost: 1,
      unreadable: 2,
      acknowledged: 5 + 5 + 5 + 4 + 1 + 2 + 3,
      // 2 short of what was acknowledged, and the 4 on the forgotten session.
      acknowledgedLost: 2 + 4,
      overCounted: 3,
      details: ['counter 3 < 5 acknowledged', 'counter 9 > 6 sent', 'session lost (HTTP 401) after 4 acknowledged increments', 'session unreadable (HTTP 503) until the deadline', 'session unreadable (no answer) until the deadline'],
    });
    // The store that answered 503 once was asked again, and then read.
    expect(calls.get('sid=settling')).toBe(2);
  });
});

describe('the load the fault tests send', () => {
  it('resends after a closed connection only what is safe to resend (RFC 9110): an idempotent method, or a POST with an Idempotency-Key', () => {
    expect(safeToResend({ method: 'GET', path: '/x' })).toBe(true);
    expect(safeToResend({ method: 'DELETE', path: '/x' })).toBe(true);
    expect(safeToResend({ method: 'POST', path: '/x' })).toBe(false);
    expect(safeToResend({ method: 'POST', path: '/x', headers: { cookie: 'sid=a' } })).toBe(false);
    expect(safeToResend({ method: 'POST', path: '/x', headers: { 'Idempotency-Key': 'k' } })).toBe(true);
  });

  it('mixes stateless, session and catalog reads with keyed increments, and falls back to stateless reads with no session to use', () => {
    const next = mixedSessionLoad([{ cookie: 'sid=a', csrf: 'c' }]);
    expect([0, 1, 2, 3].map((i) => `${next(0, i).method} ${next(0, i).path}`)).toEqual(['GET /api/stateless/info', 'GET /api/stateful/counter', 'GET /api/products/kb-001', 'POST /api/stateful/counter/increment']);
    expect(next(0, 3).headers).toMatchObject({ cookie: 'sid=a', 'x-csrf-token': 'c', 'idempotency-key': expect.any(String) as unknown });
    expect(next(0, 3).headers?.['idempotency-key']).not.toBe(next(0, 7).headers?.['idempotency-key']);
    expect(mixedSessionLoad([])(0, 1)).toEqual({ method: 'GET', path: '/api/stateless/info' });
  });

  it('sends a body as JSON, records every answer, and counts a 5xx as a failure', async () => {
    const load = steadyLoad(url, () => ({ method: 'POST', path: '/load/counter', body: { by: 1 } }), { pauseMs: 5 });
    await until(() => load.results.length >= 8, 'eight answers');
    const results = await load.stop();
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([200, 500]));
    expect(failures(results).map((r) => r.status)).toEqual([500]);
    expect(contentTypes.get('/load/counter')).toBe('application/json');
  });

  it('starts a session as a browser keeps it, or says what it was answered instead', async () => {
    const refused = await startSession(`${url}/refusing`);
    expect(refused).toEqual({ client: null, status: 404, retryAfterSeconds: null });
    const cookieless = await startSession(`${url}/no-cookie`);
    expect(cookieless).toEqual({ client: null, status: 201, retryAfterSeconds: null });
  });
});
