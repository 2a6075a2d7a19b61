import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { arrivalTimes, rateAt, runArrivals, type ArrivalOptions } from '../src/arrival.ts';
import { bracket, recoveryAfterSpike, shapes, spikeEndMs } from '../src/scenarios/arrival.ts';
import type { ArrivalResult } from '../src/arrival.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A real HTTP server on a port from the OS; `serial` answers one request at a time, as a saturated server does. */
async function server(options: { delayMs: number; serial?: boolean; status?: (n: number) => number }): Promise<string> {
  let queue = Promise.resolve();
  let n = 0;
  const s = createServer((_request, response) => {
    const status = options.status?.(n) ?? 200;
    n += 1;
    const answer = () => new Promise<void>((resolve) => setTimeout(() => { response.writeHead(status).end('{}'); resolve(); }, options.delayMs));
    if (options.serial) queue = queue.then(answer);
    else void answer();
  });
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const options = (url: string, more: Partial<ArrivalOptions>): ArrivalOptions => ({
  url,
  startRate: 50,
  stages: [{ durationMs: 1000, target: 50 }],
  requests: [{ method: 'GET', path: '/', headers: {} }],
  connections: 20,
  timeoutMs: 10_000,
  maxOutstanding: 10_000,
  bucketMs: 100,
  ...more,
});

describe('the arrival schedule', () => {
  it('spaces a constant rate evenly and follows a ramp', () => {
    const constant = arrivalTimes(100, [{ durationMs: 1000, target: 100 }]);
    expect(constant).toHaveLength(100);
    expect(constant[1]).toBeCloseTo(10);
    expect(constant[99]).toBeCloseTo(990);
    // 0 → 100 req/s over a second: about half as many, closer together towards the end.
    const ramp = arrivalTimes(0, [{ durationMs: 1000, target: 100 }]);
    expect(ramp.length).toBeGreaterThan(40);
    expect(ramp.length).toBeLessThan(55);
    const gaps = ramp.slice(1).map((t, i) => t - (ramp[i] ?? 0));
    expect(gaps.at(-1)).toBeLessThan(gaps[0] ?? 0);
    expect(rateAt(0, [{ durationMs: 1000, target: 100 }, { durationMs: 1000, target: 0 }], 1500)).toBeCloseTo(50);
    expect(rateAt(5, [], 10)).toBe(5);
  });
});

describe('open-model load on a real server', () => {
  it('sends every arrival and measures each latency, in microseconds, from when it was due', async () => {
    const url = await server({ delayMs: 20 });
    const result = await runArrivals(options(url, {}));
    expect(result.offered).toBe(50);
    expect(result.ok).toBe(50);
    expect(result.failedShare).toBe(0);
    expect(result.statusCounts['200']).toBe(50);
    expect(result.latencyUs.p50).toBeGreaterThanOrEqual(20_000);
    expect(result.latencyUs.p50).toBeLessThan(5_000_000);
    expect(result.timeline).toHaveLength(10);
    expect(result.timeline.reduce((n, b) => n + b.due, 0)).toBe(50);
  });

  it('charges a server that falls behind for the queue it causes (coordinated omission corrected)', async () => {
    // 20 ms per request, one at a time, at 100 arrivals a second: two seconds of work due in one.
    const url = await server({ delayMs: 20, serial: true });
    const result = await runArrivals(options(url, { startRate: 100, stages: [{ durationMs: 1000, target: 100 }] }));
    expect(result.ok).toBe(100);
    // A closed-model client would see about 20 ms per answer; the last arrivals waited for the ones before.
    expect(result.latencyUs.p99).toBeGreaterThan(500_000);
  });

  it('counts answers past the timeout, arrivals dropped over the outstanding bound, and non-2xx as failures', async () => {
    const slow = await server({ delayMs: 20, serial: true });
    const late = await runArrivals(options(slow, { startRate: 100, stages: [{ durationMs: 1000, target: 100 }], timeoutMs: 300 }));
    expect(late.timeouts).toBeGreaterThan(0);
    expect(late.ok + late.timeouts).toBe(100);
    const dropping = await runArrivals(options(slow, { startRate: 100, stages: [{ durationMs: 1000, target: 100 }], maxOutstanding: 5 }));
    expect(dropping.dropped).toBeGreaterThan(0);
    expect(dropping.failedShare).toBeCloseTo(dropping.dropped / 100);
    const half = await server({ delayMs: 1, status: (n) => (n % 2 === 0 ? 200 : 503) });
    const refused = await runArrivals(options(half, {}));
    expect(refused.statusCounts['503']).toBe(25);
    expect(refused.failedShare).toBeCloseTo(0.5);
  });

  it('sends the body it is given, and counts what is still unanswered when the run ends as timed out', async () => {
    const bodies: string[] = [];
    const s = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => { bodies.push(body); setTimeout(() => response.writeHead(200).end('{}'), 2000); });
    });
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const result = await runArrivals(options(url, { startRate: 20, stages: [{ durationMs: 200, target: 20 }], requests: [{ method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, body: '{"value":41}' }], timeoutMs: 300 }));
    expect(result.offered).toBe(4);
    expect(result.timeouts).toBe(4);
    expect(result.ok).toBe(0);
    expect(bodies).toContain('{"value":41}');
    // A POST is not sent ahead of the run to open connections: only the arrivals reached the server.
    expect(bodies).toHaveLength(4);
  });

  it('opens every connection before the clock starts, and counts none of those requests', async () => {
    let connections = 0;
    let requests = 0;
    const s = createServer((_request, response) => { requests += 1; response.writeHead(200).end('{}'); });
    s.on('connection', () => { connections += 1; });
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    // Ten arrivals a second, each answered at once, need one connection; the five were opened first.
    const result = await runArrivals(options(url, { startRate: 10, stages: [{ durationMs: 500, target: 10 }], connections: 5 }));
    expect(connections).toBe(5);
    expect(result.offered).toBe(5);
    expect(result.ok).toBe(5);
    expect(requests).toBe(10);
  });

  it('schedules nothing while the rate is zero', async () => {
    const url = await server({ delayMs: 1 });
    const result = await runArrivals(options(url, { startRate: 0, stages: [{ durationMs: 100, target: 0 }] }));
    expect(result.offered).toBe(0);
    expect(result.failedShare).toBe(0);
    expect(result.latencyUs.p99).toBe(0);
  });

  it('counts a connection that cannot be made as errors, not answers', async () => {
    const url = await server({ delayMs: 1 });
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const result = await runArrivals(options(url, { startRate: 20, stages: [{ durationMs: 500, target: 20 }] }));
    expect(result.errors).toBe(10);
    expect(result.ok).toBe(0);
    expect(result.failedShare).toBe(1);
  });
});

describe('the knee and the shapes', () => {
  const step = (rate: number, held: boolean) => ({ rate, held, okPerSecond: rate, failedShare: 0, latencyUs: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 } });
  it('brackets the knee between the last rate that held with all below it and the next', () => {
    expect(bracket([step(100, true), step(200, true), step(400, false), step(800, true)])).toEqual({ low: 200, high: 400 });
    expect(bracket([step(100, false)])).toEqual({ low: null, high: 100 });
    expect(bracket([step(100, true)])).toEqual({ low: 100, high: null });
  });

  it("scales k6's shapes to the knee and measures the spike's recovery from the timeline", () => {
    const settings = { rates: [], stepMs: 0, refine: 0, rampMs: 1000, holdMs: 2000, spikeMs: 500, connections: 1, timeoutMs: 1 };
    const planned = shapes(400, settings);
    expect(planned.map((s) => [s.shape, s.peakRate])).toEqual([['smoke', 10], ['average load', 200], ['stress', 600], ['spike', 1200]]);
    const spike = planned[3];
    // The spike's top ends at 1000 + 100 + 500 ms, where its stages say it does.
    expect(spikeEndMs(settings)).toBe(spike?.stages.slice(0, 3).reduce((sum, s) => sum + s.durationMs, 0));
    // The buckets after it fail until 2000 ms.
    const timeline: ArrivalResult['timeline'] = Array.from({ length: 60 }, (_, i) => ({ atMs: i * 100, due: 10, ok: 10, failed: i * 100 >= 1600 && i * 100 < 2000 ? 3 : 0, p99Us: 1000 }));
    expect(recoveryAfterSpike(timeline, spikeEndMs(settings))).toBe(400);
    expect(recoveryAfterSpike(timeline.map((b) => ({ ...b, p99Us: 60_000 })), spikeEndMs(settings))).toBeNull();
  });
});
