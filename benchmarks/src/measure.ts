/**
 * One measurement with autocannon, used programmatically: a warm-up (discarded), then measured
 * rounds. Responses are counted by status, never hidden; a sample is validated against the
 * contract.
 */
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import type { ResponseValidator } from 'contract';
import { maxOf, minOf } from './extremes.ts';
import type { LoadParameters, Round, ThroughputRow } from './results.ts';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** The concrete path. */
  path: string;
  /** The contract's path template, to validate samples. */
  template: string;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * A sequence that must not interleave across connections (add a cart line, then remove it) takes
   * a session from this pool for its first request and gives it back when its last is answered.
   * The pool holds one session per connection, so a session is never used by two at once.
   * (autocannon resets a connection's context each time it starts the sequence again.)
   */
  sessionPool?: { free: { cookie: string; csrf: string }[]; role: 'first' | 'last' };
}

type Session = { cookie: string; csrf: string };

function toAutocannon(spec: RequestSpec): autocannon.Request {
  const pool = spec.sessionPool;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: { ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }), ...spec.headers },
    ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
  };
  if (!pool) return request;
  request.setupRequest = (req: autocannon.Request, context: object) => {
    const ctx = context as { session?: Session };
    if (pool.role === 'first') ctx.session = pool.free.pop();
    if (!ctx.session) throw new Error('the session pool ran dry: it needs one session per connection');
    return { ...req, headers: { ...req.headers, cookie: ctx.session.cookie, 'x-csrf-token': ctx.session.csrf } };
  };
  if (pool.role === 'last') {
    request.onResponse = (_status: number, _body: string, context: object) => {
      const ctx = context as { session?: Session };
      if (ctx.session) pool.free.push(ctx.session);
      ctx.session = undefined;
    };
  }
  return request;
}

/**
 * autocannon 8 times each answer from the oldest request in its connection's queue. When a server
 * closes a keep-alive connection (nginx after keepalive_requests, 1,000 by default), the request
 * autocannon had just written on it is never answered, yet stays queued after it reconnects: from
 * then on each answer is timed from the request before, and every such close adds one more. Through
 * nginx this tripled the latencies (a p50 of 5.6 ms at one connection answering 739 times a
 * second). With one request at a time per connection, nothing may remain queued once an answer
 * has been taken from the queue (this event comes before the next request is written): whatever
 * does was lost with the old connection.
 */
function forgetRequestsLostWithTheConnection(client: unknown): void {
  const queue = (client as { pipelinedRequests?: { size(): number; clear(): void } }).pipelinedRequests;
  if (queue && queue.size() > 0) queue.clear();
}

/** One autocannon run of `seconds`, every answer counted by status. */
export async function run(url: string, specs: RequestSpec[], load: LoadParameters, seconds: number): Promise<Round> {
  // A run that stops mid-sequence keeps the sessions it had checked out: start each from the full pool.
  const pools = [...new Set(specs.map((spec) => spec.sessionPool?.free).filter((free) => free !== undefined))];
  const everySession = pools.map((free) => ({ free, all: [...free] }));
  // Over https (phase 2 via nginx) autocannon skips certificate checks whatever it is given
  // (it passes rejectUnauthorized: false to tls.connect). The certificate it is shown has been
  // verified against the lab's CA by then: the harness's readiness check through nginx and the
  // sessions made for the run use fetch with that CA and verification on.
  // Without a callback autocannon returns its tracker, an event emitter that is also the result's promise.
  const instance = autocannon({
    url,
    connections: load.connections,
    pipelining: load.pipelining,
    duration: seconds,
    requests: specs.map(toAutocannon),
  }) as Promise<autocannon.Result> & Pick<autocannon.Instance, 'on'>;
  // autocannon's own histogram holds whole milliseconds (a p50 of 0); each response event carries
  // the time from hrtime, which this histogram keeps to the microsecond. Every answer counts, not
  // only the 2xx autocannon's own figures keep.
  const latencies = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  instance.on('response', (client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    latencies.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
    if (load.pipelining === 1) forgetRequestsLostWithTheConnection(client);
  });
  const result = await instance;
  for (const { free, all } of everySession) {
    free.length = 0;
    for (const item of all) free.push(item);
  }
  const statusCounts: Record<string, number> = {};
  for (const [status, stat] of Object.entries(result.statusCodeStats as Record<string, { count: number }>)) statusCounts[status] = stat.count;
  return {
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: latencies.getValueAtPercentile(50) / 1000, p90: latencies.getValueAtPercentile(90) / 1000, p99: latencies.getValueAtPercentile(99) / 1000 },
    requests: result.requests.total,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Sends each request a few times outside the load and checks the answers against the contract. */
async function sample(url: string, specs: RequestSpec[], validate: ResponseValidator): Promise<{ checked: number; violations: string[] }> {
  const violations: string[] = [];
  let checked = 0;
  for (const spec of specs) {
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(new URL(spec.path, url), {
        method: spec.method,
        headers: { ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }), ...spec.headers },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      });
      const contentType = String(response.headers.get('content-type'));
      const body: unknown = contentType.includes('json') ? await response.json() : await response.text();
      checked += 1;
      for (const problem of validate(spec.method, spec.template, response.status, contentType, body)) violations.push(`${spec.method} ${spec.path} ${response.status}: ${problem}`);
    }
  }
  return { checked, violations };
}

export async function measure(endpoint: string, target: string, url: string, specs: RequestSpec[], load: LoadParameters, validate: ResponseValidator | null): Promise<ThroughputRow> {
  // The smoke profile measures without a warm-up: its figures are checked for presence, not value.
  if (load.warmupSeconds > 0) await run(url, specs, load, load.warmupSeconds);
  const rounds: Round[] = [];
  for (let i = 0; i < load.rounds; i += 1) rounds.push(await run(url, specs, load, load.roundSeconds));
  const rps = rounds.map((r) => r.requestsPerSecond);
  const mean = rps.reduce((a, b) => a + b, 0) / rps.length;
  const avg = (pick: (r: Round) => number) => rounds.reduce((a, r) => a + pick(r), 0) / rounds.length;
  const non2xx = rounds.reduce((n, r) => n + Object.entries(r.statusCounts).filter(([s]) => !s.startsWith('2')).reduce((m, [, c]) => m + c, 0), 0);
  return {
    endpoint,
    target,
    rounds,
    requestsPerSecond: mean,
    spread: mean > 0 ? (maxOf(rps, 0) - minOf(rps, 0)) / mean : 0,
    p50Ms: avg((r) => r.latencyMs.p50),
    p90Ms: avg((r) => r.latencyMs.p90),
    p99Ms: avg((r) => r.latencyMs.p99),
    non2xx,
    errors: rounds.reduce((n, r) => n + r.errors + r.timeouts, 0),
    contractSample: validate ? await sample(url, specs, validate) : { checked: 0, violations: [] },
  };
}
