import { randomUUID } from 'node:crypto';
import { describeError } from './errors.ts';

/**
 * A light, steady load for fault tests: a few workers sending requests in a loop until stopped,
 * every result kept with its time, method and status, so a test can say exactly which requests
 * failed and when. Bounded: it stops by itself after `maxMs`.
 */
export interface LoadRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface LoadResult {
  atMs: number;
  method: string;
  path: string;
  status: number | null;
  servedBy: string | null;
  error: string | null;
  /** Sent a second time after its keep-alive connection closed without an answer. */
  retried: boolean;
}

export interface RunningLoad {
  results: LoadResult[];
  stop(): Promise<LoadResult[]>;
}

/**
 * A keep-alive connection the server closed just as the client reused it ("other side closed",
 * ECONNRESET): the request got no answer. nginx closes its idle client connections this way when
 * it reloads or stops, and a client that sends on one at that instant loses the race (the rolling
 * restart no longer reloads nginx; its test runs with `resend: false`). This client resends what is safe to resend: an idempotent
 * method (RFC 9110, section 9.2.2), or a POST that carries an `Idempotency-Key`, which the server
 * applies at most once whatever happened to the first attempt. A POST without a key is never
 * resent: the client cannot know whether it was applied. Each resend is recorded (`retried`), so
 * reports show how often this happened.
 */
const CLOSED_BEFORE_ANSWER = /other side closed|ECONNRESET|socket hang up/;

export function safeToResend(request: LoadRequest): boolean {
  if (request.method !== 'POST') return true;
  return Object.keys(request.headers ?? {}).some((name) => name.toLowerCase() === 'idempotency-key');
}

/**
 * @param options.resend false: a plain keep-alive client that resends nothing, as `fetch` in a
 *   browser tab's code or a script would be; the default resends what is safe (see above).
 */
export function steadyLoad(baseUrl: string, next: (worker: number, i: number) => LoadRequest, options: { workers?: number; pauseMs?: number; maxMs?: number; resend?: boolean } = {}): RunningLoad {
  const results: LoadResult[] = [];
  const t0 = performance.now();
  const maxMs = options.maxMs ?? 120_000;
  let stopping = false;
  const send = async (request: LoadRequest, atMs: number, resends: number): Promise<LoadResult> => {
    const retried = resends > 0;
    try {
      const response = await fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      return { atMs, method: request.method, path: request.path, status: response.status, servedBy: response.headers.get('x-served-by'), error: null, retried };
    } catch (error) {
      const message = describeError(error);
      if (resends < 2 && CLOSED_BEFORE_ANSWER.test(message) && options.resend !== false && safeToResend(request)) {
        // Other idle sockets were closed at the same instant; a moment lets the client see that.
        await new Promise((resolve) => setTimeout(resolve, 10));
        return send(request, atMs, resends + 1);
      }
      return { atMs, method: request.method, path: request.path, status: null, servedBy: null, error: message, retried };
    }
  };
  const worker = async (w: number) => {
    for (let i = 0; !stopping && performance.now() - t0 < maxMs; i += 1) {
      results.push(await send(next(w, i), Math.round(performance.now() - t0), 0));
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const workers = Array.from({ length: options.workers ?? 4 }, (_, w) => worker(w));
  return {
    results,
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
      return results;
    },
  };
}

/** Requests that did not succeed: no answer, or a status of 500 and above. */
export function failures(results: LoadResult[]): LoadResult[] {
  return results.filter((r) => r.status === null || r.status >= 500);
}

/**
 * The mix the fault tests and the failover benchmark send: a stateless read, a session read, a
 * catalog read and a session increment (the one POST), spread over a known set of sessions.
 */
export function mixedSessionLoad(known: readonly { cookie: string; csrf: string }[]): (worker: number, i: number) => LoadRequest {
  return (worker, i): LoadRequest => {
    const client = known[(worker * 7 + i) % known.length];
    if (!client) return { method: 'GET', path: '/api/stateless/info' };
    switch (i % 4) {
      case 0:
        return { method: 'GET', path: '/api/stateless/info' };
      case 1:
        return { method: 'GET', path: '/api/stateful/counter', headers: { cookie: client.cookie } };
      case 2:
        return { method: 'GET', path: '/api/products/kb-001' };
      default:
        // Each increment with its own key, kept across resends of that one request.
        return { method: 'POST', path: '/api/stateful/counter/increment', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'idempotency-key': randomUUID() } };
    }
  };
}

export interface SessionClient {
  cookie: string;
  csrf: string;
}

export interface SessionStart {
  /** The new session's cookie and CSRF token, or null when the server did not create one. */
  client: SessionClient | null;
  status: number;
  /** Seconds the server asked to wait (429, 503), when it said. */
  retryAfterSeconds: number | null;
}

/** Starts a guest session (`POST /api/stateful/sessions`) and keeps what a browser would: the `sid` cookie and the CSRF token. */
export async function startSession(baseUrl: string, timeoutMs = 10_000): Promise<SessionStart> {
  const response = await fetch(`${baseUrl}/api/stateful/sessions`, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
  const body = (await response.json().catch(() => ({}))) as { csrfToken?: unknown };
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = response.headers.has('retry-after') && Number.isFinite(retryAfter) ? retryAfter : null;
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (response.status !== 201 || typeof body.csrfToken !== 'string' || cookie === '') return { client: null, status: response.status, retryAfterSeconds };
  return { client: { cookie, csrf: body.csrfToken }, status: response.status, retryAfterSeconds };
}

/**
 * n new sessions. A 503 (the store still settling after a fault: a replica resyncing, a failover
 * finishing) is waited out, as a client honouring Retry-After would, up to `waitMs`.
 */
export async function startSessions(baseUrl: string, n: number, waitMs = 60_000): Promise<SessionClient[]> {
  const made: SessionClient[] = [];
  const deadline = Date.now() + waitMs;
  while (made.length < n) {
    const { client, status } = await startSession(baseUrl);
    if (client) made.push(client);
    else if (status !== 503 || Date.now() > deadline) throw new Error(`could not start a session: ${String(status)}`);
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return made;
}

export interface WriterTally {
  client: SessionClient;
  /** Increments answered 200: the server said they happened. */
  acknowledged: number;
  /** Every increment sent, answered or not: an upper bound on what the counter may hold. */
  attempted: number;
  /** The last value the server acknowledged. */
  lastValue: number;
}

/**
 * One writer per session, each incrementing its own counter in a loop until stopped, counting
 * what the server acknowledged: the client's side of a Jepsen-style check. Bounded by `maxMs`.
 */
export function sessionWriters(baseUrl: string, clients: readonly SessionClient[], options: { pauseMs?: number; maxMs?: number } = {}): { tallies: readonly WriterTally[]; stop(): Promise<WriterTally[]> } {
  const tallies: WriterTally[] = clients.map((client) => ({ client, acknowledged: 0, attempted: 0, lastValue: 0 }));
  const t0 = performance.now();
  let stopping = false;
  const write = async (tally: WriterTally) => {
    while (!stopping && performance.now() - t0 < (options.maxMs ?? 120_000)) {
      tally.attempted += 1;
      try {
        const response = await fetch(`${baseUrl}/api/stateful/counter/increment`, {
          method: 'POST',
          headers: { cookie: tally.client.cookie, 'x-csrf-token': tally.client.csrf },
          signal: AbortSignal.timeout(15_000),
        });
        const body = (await response.json()) as { value?: number };
        if (response.status === 200 && typeof body.value === 'number') {
          tally.acknowledged += 1;
          tally.lastValue = body.value;
        }
      } catch {
        // No answer: not acknowledged, and it may or may not have happened.
      }
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 10));
    }
  };
  const running = tallies.map(write);
  return {
    // Live: each writer's counts as they are now, while it runs.
    tallies,
    stop: async () => {
      stopping = true;
      await Promise.all(running);
      return tallies;
    },
  };
}

export interface DurabilityCheck {
  sessions: number;
  /** Sessions the store says do not exist (401): gone, with everything acknowledged on them. */
  sessionsLost: number;
  /** Sessions that could not be read at all before the deadline (the store kept refusing): not known to be lost, not known to be kept. */
  unreadable: number;
  acknowledged: number;
  /** Acknowledged increments the counters no longer hold (summed over sessions whose counter fell short). */
  acknowledgedLost: number;
  /** Counters above what was ever sent: would mean an increment applied twice. */
  overCounted: number;
  details: string[];
}

/**
 * The server's side of the check: read every session back and compare its counter with what the
 * writer was told. Each session started at 0 and only its writer changed it, so its counter must
 * be at least the acknowledged count (nothing acknowledged lost) and at most the attempted count.
 * A store that is still electing answers 503: the sessions it refused are asked again, round after
 * round, until the deadline (generous), so that one that never answers does not use up the time of
 * the others.
 */
export async function checkAcknowledged(baseUrl: string, tallies: readonly WriterTally[], deadlineMs = 60_000): Promise<DurabilityCheck> {
  const check: DurabilityCheck = { sessions: tallies.length, sessionsLost: 0, unreadable: 0, acknowledged: 0, acknowledgedLost: 0, overCounted: 0, details: [] };
  for (const tally of tallies) check.acknowledged += tally.acknowledged;
  // Each session's last answer: a status (null: no answer at all) and, on a 200, its counter.
  const reads = tallies.map((tally) => ({ tally, status: null as number | null, value: null as number | null }));
  const deadline = Date.now() + deadlineMs;
  let pending = reads;
  while (pending.length > 0) {
    for (const read of pending) {
      try {
        const response = await fetch(`${baseUrl}/api/stateful/counter`, { headers: { cookie: read.tally.client.cookie }, signal: AbortSignal.timeout(10_000) });
        const body = await response.text();
        read.status = response.status;
        read.value = response.status === 200 ? (JSON.parse(body) as { value: number }).value : null;
      } catch {
        read.status = null;
        read.value = null;
      }
    }
    // Settled: read (200) or gone (401). Anything else is asked again next round.
    pending = pending.filter((read) => read.status !== 200 && read.status !== 401);
    if (pending.length === 0 || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const { tally, status, value } of reads) {
    if (status === 401) {
      check.sessionsLost += 1;
      check.acknowledgedLost += tally.acknowledged;
      check.details.push(`session lost (HTTP 401) after ${tally.acknowledged} acknowledged increments`);
    } else if (value === null) {
      check.unreadable += 1;
      check.details.push(`session unreadable (${status === null ? 'no answer' : `HTTP ${status}`}) until the deadline`);
    } else if (value < tally.acknowledged) {
      check.acknowledgedLost += tally.acknowledged - value;
      check.details.push(`counter ${value} < ${tally.acknowledged} acknowledged`);
    } else if (value > tally.attempted) {
      check.overCounted += value - tally.attempted;
      check.details.push(`counter ${value} > ${tally.attempted} sent`);
    }
  }
  return check;
}
