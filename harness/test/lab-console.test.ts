/**
 * The console's server side on its own: what it makes of what Prometheus says, sample after
 * sample. Prometheus is replaced here by a small HTTP server that answers its query API with the
 * series of each step: the behaviour under test is the console's reading and its timeline, not
 * Prometheus's (the real one is exercised, with a real browser, in up.test.ts).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { LabConsole, type ConsoleInit, type LabSnapshot } from '../src/lab/console.ts';
import type { Crowd, CrowdCounts } from '../src/lab/crowd.ts';
import { LAB_QUERIES } from '../src/lab/queries.ts';
import { queryPrometheus } from '../src/infra/prometheus.ts';

type Series = { metric: Record<string, string>; value: number }[];

/** What the fake Prometheus answers for each of the console's queries, by query id; changed between samples. */
let answers: Record<string, Series> = {};
/** Set: every query fails, as when Prometheus is down or overloaded. */
let failing = false;
let prometheus: Server;
let prometheusUrl = '';

beforeAll(async () => {
  const byExpr = new Map(LAB_QUERIES.map((q) => [q.expr, q.id]));
  prometheus = createServer((req, res) => {
    const expr = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    const id = byExpr.get(expr);
    if (failing) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', error: 'overloaded' }));
      return;
    }
    if (expr === 'through_a_proxy') {
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error' }));
      return;
    }
    if (expr === 'up[1m]') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
      return;
    }
    if (id === undefined) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', error: `unknown query ${expr}` }));
      return;
    }
    const result = (answers[id] ?? []).map((s) => ({ metric: s.metric, value: [Date.now() / 1000, String(s.value)] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
  const address = prometheus.address();
  prometheusUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => { prometheus.close(() => { resolve(); }); }));

function crowd(phase: string, counts: () => CrowdCounts): Crowd {
  return { phase, counts, stop: () => Promise.resolve() };
}

const counts = (failing: number, sessionsLost: number): CrowdCounts => ({
  stateful: { 'signed-in': 12 - failing, 'signed-out': 0, failing },
  stateless: { working: 6, failing: 0 },
  sessionsLost,
  acknowledgedLost: 0,
  requests: 100,
  failures: failing,
});

const up = (job: string, instance: string, value: number) => ({ metric: { job, instance }, value });
const role = (instance: string, r: string) => ({ metric: { instance, role: r }, value: 1 });

describe('the lab console\'s sampler', () => {
  let phase2Counts = counts(0, 0);
  let labConsole: LabConsole;

  beforeAll(() => {
    labConsole = new LabConsole({
      prometheusUrl,
      phases: [
        { name: 'phase1-mock', job: 'phase1', title: 'Phase 1', lesson: '', instances: ['mock-1'] },
        { name: 'phase2-production', job: 'phase2', title: 'Phase 2', lesson: '', instances: ['api-1', 'api-2'] },
      ],
      redisNodes: ['redis-a', 'redis-b'],
      crowds: [crowd('phase2-production', () => phase2Counts)],
      crowdRegistry: new Registry(),
      buttons: [{ action: 'kill-instance', target: 'api-2', label: 'kill instance api-2', group: 'Phase 2 instances' }],
      links: {},
    });
  });

  async function step(next: Record<string, Series>): Promise<LabSnapshot> {
    answers = next;
    await labConsole.sample();
    const latest = labConsole.latest();
    if (!latest) throw new Error('no snapshot');
    return latest;
  }

  const timeline = () => labConsole.timeline().map((e) => e.text);

  it('reads each phase\'s instances, latency, sessions and crowd, and each Redis node\'s role', async () => {
    const first = await step({
      targets: [up('phase1', 'mock-1', 1), up('phase2', 'api-1', 1), up('phase2', 'api-2', 1)],
      requests: [{ metric: { phase: 'phase2-production', instance: 'api-1' }, value: 12.5 }],
      errors: [{ metric: { phase: 'phase2-production', instance: 'api-2' }, value: 0.5 }],
      p50: [{ metric: { phase: 'phase2-production' }, value: 0.004 }],
      p99: [{ metric: { phase: 'phase2-production' }, value: Number.NaN }],
      sessions: [{ metric: { phase: 'phase2-production' }, value: 12 }],
      redisUp: [up('redis', 'redis-a', 1), up('redis', 'redis-b', 1)],
      redisRole: [role('redis-a', 'master'), role('redis-b', 'slave')],
      postgres: [{ metric: {}, value: 1 }],
      nginx: [{ metric: {}, value: 1 }],
    });
    expect(first.prometheus).toBe('up');
    expect(first.phases['phase2-production']).toEqual({
      instances: [
        { id: 'api-1', status: 'up', requestsPerSecond: 12.5, errorsPerSecond: 0 },
        { id: 'api-2', status: 'up', requestsPerSecond: 0, errorsPerSecond: 0.5 },
      ],
      p50Seconds: 0.004,
      // A quantile of no requests is NaN in Prometheus: shown as no figure, not as NaN.
      p99Seconds: null,
      sessions: 12,
      crowd: counts(0, 0),
    });
    expect(first.phases['phase1-mock']?.crowd).toBeNull();
    expect(first.redis).toEqual([{ name: 'redis-a', role: 'primary' }, { name: 'redis-b', role: 'replica' }]);
    expect([first.postgres, first.nginx]).toEqual(['up', 'up']);
  });

  it('writes in the timeline what changed from one sample to the next', async () => {
    phase2Counts = counts(12, 3);
    const broken = await step({
      targets: [up('phase1', 'mock-1', 1), up('phase2', 'api-1', 1), up('phase2', 'api-2', 0)],
      redisUp: [up('redis', 'redis-a', 0), up('redis', 'redis-b', 1)],
      redisRole: [role('redis-b', 'slave')],
      postgres: [{ metric: {}, value: 0 }],
      alerts: [{ metric: { alertname: 'InstanceDown' }, value: 1 }, { metric: { alertname: 'SessionsLost', phase: 'phase2-production' }, value: 1 }],
    });
    expect(broken.redis).toEqual([{ name: 'redis-a', role: 'down' }, { name: 'redis-b', role: 'replica' }]);
    expect(broken.alerts).toEqual(['InstanceDown', 'SessionsLost (phase2-production)']);
    expect(timeline()).toEqual(expect.arrayContaining([
      'Phase 2 api-2 stopped answering',
      'Phase 2: 3 virtual users signed out (the server forgot the session)',
      'Phase 2: requests failing for 12 virtual users',
      'Redis: no primary',
      'Redis redis-a is down',
      'PostgreSQL is down',
      'alert firing: InstanceDown',
      'alert firing: SessionsLost (phase2-production)',
    ]));

    phase2Counts = counts(0, 3);
    await step({
      targets: [up('phase1', 'mock-1', 1), up('phase2', 'api-1', 1), up('phase2', 'api-2', 1)],
      redisUp: [up('redis', 'redis-a', 1), up('redis', 'redis-b', 1)],
      redisRole: [role('redis-a', 'master'), role('redis-b', 'master')],
      postgres: [{ metric: {}, value: 1 }],
    });
    expect(timeline()).toEqual(expect.arrayContaining([
      'Phase 2 api-2 answers again',
      'Phase 2: every virtual user served again',
      'Redis: redis-a, redis-b each say they are the primary (the Sentinels have not yet demoted the old one)',
      'Redis redis-a is back, as primary',
      'PostgreSQL is up',
      'alert resolved: InstanceDown',
    ]));

    await step({ redisUp: [up('redis', 'redis-a', 1), up('redis', 'redis-b', 1)], redisRole: [role('redis-a', 'slave'), role('redis-b', 'master')] });
    expect(timeline().at(-1)).toBe('Redis: redis-b is the primary (was redis-a, redis-b)');
  });

  it('says when Prometheus cannot be read, every status then unknown rather than down, and claims no change meanwhile', async () => {
    const before = timeline().length;
    failing = true;
    const blind = await step({});
    await step({});
    failing = false;
    expect(timeline().slice(before)).toEqual(['Prometheus cannot be read: the figures stop until it answers']);
    // Back with the same state as before it went: nothing changed, and nothing is said to have.
    await step({ redisUp: [up('redis', 'redis-a', 1), up('redis', 'redis-b', 1)], redisRole: [role('redis-a', 'slave'), role('redis-b', 'master')] });
    expect(timeline().slice(before)).toEqual(['Prometheus cannot be read: the figures stop until it answers', 'Prometheus answers again']);
    expect(blind.prometheus).toBe('down');
    expect(blind.phases['phase2-production']?.instances.map((i) => i.status)).toEqual(['unknown', 'unknown']);
    expect(blind.redis.map((n) => n.role)).toEqual(['unknown', 'unknown']);
    expect([blind.postgres, blind.nginx]).toEqual(['unknown', 'unknown']);
  });

  it('shows a Redis node that answers but reports no role as unknown, and one more user signed out as one', async () => {
    phase2Counts = counts(0, 4);
    const unsure = await step({
      targets: [up('phase1', 'mock-1', 1), up('phase2', 'api-1', 1), up('phase2', 'api-2', 1)],
      redisUp: [up('redis', 'redis-a', 1), up('redis', 'redis-b', 1)],
      redisRole: [role('redis-b', 'master')],
    });
    expect(unsure.redis).toEqual([{ name: 'redis-a', role: 'unknown' }, { name: 'redis-b', role: 'primary' }]);
    expect(timeline()).toContain('Phase 2: 1 virtual user signed out (the server forgot the session)');
  });

  it('records each fault and what it observed, or why it could not run', () => {
    labConsole.faultStarted('kill-instance', 'api-2');
    labConsole.faultFinished('kill-instance', 'api-2', { action: 'kill-instance', target: 'api-2', pid: 1, startedAt: '', downAfterMs: 120, recoveredAfterMs: 150, notes: ['the instance stays down until restart-instance'] });
    labConsole.faultFinished('rolling-restart', undefined, { action: 'rolling-restart', target: '', pid: null, startedAt: '', downAfterMs: null, recoveredAfterMs: null, notes: [] });
    labConsole.faultFinished('restart-redis', 'redis-z', new Error('no Redis node redis-z'));
    expect(timeline().slice(-4)).toEqual([
      'kill-instance api-2: injected',
      'kill-instance api-2: down after 120 ms, served again after 150 ms. the instance stays down until restart-instance',
      'rolling-restart: not recovered while watched',
      'restart-redis redis-z: could not run (no Redis node redis-z)',
    ]);
  });

  it('keeps the last 500 lines of its timeline', () => {
    for (let i = 0; i < 520; i += 1) labConsole.record('change', `line ${i}`);
    const lines = timeline();
    expect(lines).toHaveLength(500);
    expect([lines[0], lines.at(-1)]).toEqual(['line 20', 'line 519']);
  });

  it('serves the page, its event stream (history first), its state and the crowd\'s metrics; nothing else', async () => {
    const server = createServer((req, res) => {
      if (!labConsole.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const page = await fetch(`${base}/`);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<title>Lab console');
      const script = await (await fetch(`${base}/console.js`)).text();
      // The page's TypeScript, types stripped: no import is left for the browser to resolve.
      expect(script).toContain('new EventSource("/events")');
      expect(script).not.toMatch(/^import /m);
      expect((await fetch(`${base}/uPlot.iife.min.js`)).status).toBe(200);
      // A query string does not change what is served; HEAD gets the headers alone.
      expect(await (await fetch(`${base}/?from=bookmark`)).text()).toContain('<title>Lab console');
      const head = await fetch(`${base}/console.css`, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'text/css; charset=utf-8', '']);
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);

      const events = await fetch(`${base}/events`);
      expect(events.headers.get('content-type')).toBe('text/event-stream');
      const reader = events.body?.getReader();
      let text = '';
      while (!text.includes('\n\n')) {
        const chunk = (await reader?.read()) as { value?: Uint8Array } | undefined;
        text += new TextDecoder().decode(chunk?.value);
      }
      await reader?.cancel();
      const init = JSON.parse(/^event: init\ndata: (.*)$/m.exec(text)?.[1] ?? '{}') as ConsoleInit;
      expect(init.history.length).toBeGreaterThanOrEqual(4);
      expect(init.buttons.map((b) => b.label)).toEqual(['kill instance api-2']);
      expect(init.timeline.length).toBe(labConsole.timeline().length);

      const state = (await (await fetch(`${base}/state`)).json()) as { latest: LabSnapshot; timeline: unknown[] };
      expect(state.latest.t).toBe(labConsole.latest()?.t);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); server.closeAllConnections(); });
    }
  });
});

describe('the lab console before its first sample', () => {
  it('serves its state with no snapshot yet, rather than failing', async () => {
    const fresh = new LabConsole({ prometheusUrl, phases: [], redisNodes: [], crowds: [], crowdRegistry: new Registry(), buttons: [], links: {} });
    const server = createServer((req, res) => {
      if (!fresh.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    try {
      const state = await (await fetch(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/state`)).json();
      expect(state).toEqual({ latest: null, timeline: [] });
    } finally {
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    }
  });
});

describe('queryPrometheus', () => {
  it('returns an instant vector\'s samples, and says what Prometheus refused or answered otherwise', async () => {
    answers = { postgres: [up('postgres', 'postgres', 1)] };
    const expr = LAB_QUERIES.find((q) => q.id === 'postgres')?.expr ?? '';
    expect(await queryPrometheus(prometheusUrl, expr)).toEqual([{ metric: { job: 'postgres', instance: 'postgres' }, value: 1 }]);
    await expect(queryPrometheus(prometheusUrl, 'no_such_query')).rejects.toThrow('prometheus: unknown query no_such_query in no_such_query');
    // An answer that says nothing of why: its HTTP status, then.
    await expect(queryPrometheus(prometheusUrl, 'through_a_proxy')).rejects.toThrow('prometheus: HTTP 502 in through_a_proxy');
    await expect(queryPrometheus(prometheusUrl, 'up[1m]')).rejects.toThrow('prometheus: up[1m] is a matrix, not an instant vector');
  });
});
