/**
 * The lab's virtual users: a small, steady crowd on each phase, so that what a fault does to
 * people is seen, not only what it does to servers. Two kinds, the project's two lessons:
 *
 * - stateful users hold a session (cookie and CSRF token) and increment its counter, checking each
 *   answer against the last value they were told: a 401 means the server forgot them (signed out,
 *   and everything acknowledged on that session lost with it); a counter below what was
 *   acknowledged means a lost change. A signed-out user comes back after a pause with a new session.
 * - stateless users carry their counter themselves (`POST /api/stateless/counter`): no server can
 *   sign them out; they can only fail while nothing answers.
 *
 * Counts are exported in Prometheus's format (prom-client) for the lab's Prometheus, where the
 * SessionsLost alert reads them: only a client knows what it was acknowledged.
 */
import { randomUUID } from 'node:crypto';
import { Counter, Gauge, Registry } from 'prom-client';
import { request } from 'undici';
import { startSession, type SessionClient } from '../load.ts';
import type { CrowdCounts, StatefulState, StatelessState } from './view.ts';

export type { CrowdCounts } from './view.ts';

export interface CrowdOptions {
  stateful?: number;
  stateless?: number;
  /** Each user's pause between two requests. */
  pauseMs?: number;
  /** How long a signed-out user waits before starting a new session, so the chart shows them. */
  signInAgainAfterMs?: number;
}

export interface Crowd {
  phase: string;
  counts(): CrowdCounts;
  stop(): Promise<void>;
}

/** One registry for every crowd of the lab: what its /metrics serves. */
export function crowdMetrics(): { registry: Registry; track(crowd: Crowd): void } {
  const registry = new Registry();
  const crowds: Crowd[] = [];
  new Gauge({
    name: 'lab_crowd_users',
    help: 'Virtual users by phase, kind (stateful, stateless) and state (signed-in, signed-out, working, failing).',
    labelNames: ['phase', 'kind', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const crowd of crowds) {
        const counts = crowd.counts();
        for (const [state, n] of Object.entries(counts.stateful)) this.set({ phase: crowd.phase, kind: 'stateful', state }, n);
        for (const [state, n] of Object.entries(counts.stateless)) this.set({ phase: crowd.phase, kind: 'stateless', state }, n);
      }
    },
  });
  // Counters read from the crowds at each scrape: prom-client counters only go up, so each
  // collect adds what changed since the last one.
  const counter = (name: string, help: string, read: (counts: CrowdCounts) => number) => {
    const seen = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ['phase'] as const,
      registers: [registry],
      collect() {
        for (const crowd of crowds) {
          const now = read(crowd.counts());
          const delta = now - (seen.get(crowd.phase) ?? 0);
          if (delta > 0 || !seen.has(crowd.phase)) this.inc({ phase: crowd.phase }, Math.max(delta, 0));
          seen.set(crowd.phase, now);
        }
      },
    });
  };
  counter('lab_crowd_sessions_lost_total', 'Sessions the server forgot while their virtual user was using them.', (c) => c.sessionsLost);
  counter('lab_crowd_acknowledged_changes_lost_total', 'Increments acknowledged to a virtual user that the server no longer holds.', (c) => c.acknowledgedLost);
  counter('lab_crowd_requests_total', 'Requests the virtual users sent.', (c) => c.requests);
  counter('lab_crowd_failures_total', 'Requests that got no answer or a server error.', (c) => c.failures);
  return { registry, track: (crowd) => { crowds.push(crowd); } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startCrowd(phase: string, baseUrl: string, options: CrowdOptions = {}): Crowd {
  const pauseMs = options.pauseMs ?? 500;
  const signInAgainAfterMs = options.signInAgainAfterMs ?? 5000;
  // null until a user's first session: arriving is not being signed out.
  const statefulStates: (StatefulState | null)[] = Array.from({ length: options.stateful ?? 12 }, () => null);
  const statelessStates: StatelessState[] = Array.from({ length: options.stateless ?? 6 }, () => 'working');
  const totals = { sessionsLost: 0, acknowledgedLost: 0, requests: 0, failures: 0 };
  let stopping = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { wake = resolve; });
  const pause = (ms: number) => Promise.race([sleep(ms), stopped]);

  // undici's request rather than fetch: the same client (and the same dispatcher, which trusts the
  // lab's CA), without the WHATWG streams fetch builds for every answer, which cost the crowd
  // several times the CPU for the same requests. The lab must weigh little on what it watches.
  const post = async (path: string, init: { headers?: Record<string, string>; body?: unknown }) => {
    totals.requests += 1;
    try {
      const response = await request(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? null : JSON.stringify(init.body),
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      const body = (await response.body.json().catch(() => ({}))) as { value?: unknown };
      if (response.statusCode >= 500) totals.failures += 1;
      return { status: response.statusCode, value: typeof body.value === 'number' ? body.value : null };
    } catch {
      totals.failures += 1;
      return { status: null, value: null };
    }
  };

  const statefulUser = async (index: number) => {
    // Spread the first sign-ins, as people do not all arrive in the same millisecond.
    await pause(index * 50);
    let session: SessionClient | null = null;
    let acknowledged = 0;
    while (!stopping) {
      if (!session) {
        totals.requests += 1;
        const started = await startSession(baseUrl, 5000).catch(() => null);
        if (!started || started.status >= 500) totals.failures += 1;
        if (started?.client) {
          session = started.client;
          acknowledged = 0;
          statefulStates[index] = 'signed-in';
        } else {
          // Refused (rate limit) or unavailable: try again when the server says, or soon.
          await pause(Math.max(pauseMs, (started?.retryAfterSeconds ?? 0) * 1000));
          continue;
        }
      }
      const answer = await post('/api/stateful/counter/increment', { headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'idempotency-key': randomUUID() } });
      if (answer.status === 200 && answer.value !== null) {
        // An increment that got no answer earlier may have been applied: a value above the
        // expected one is not a loss; one below is.
        if (answer.value < acknowledged + 1) totals.acknowledgedLost += acknowledged + 1 - answer.value;
        acknowledged = answer.value;
        statefulStates[index] = 'signed-in';
      } else if (answer.status === 401) {
        totals.sessionsLost += 1;
        totals.acknowledgedLost += acknowledged;
        session = null;
        statefulStates[index] = 'signed-out';
        await pause(signInAgainAfterMs);
        continue;
      } else {
        statefulStates[index] = 'failing';
      }
      await pause(pauseMs);
    }
  };

  const statelessUser = async (index: number) => {
    await pause(index * 50 + 25);
    let value = 0;
    while (!stopping) {
      const answer = await post('/api/stateless/counter', { body: { value } });
      if (answer.status === 200 && answer.value !== null) {
        value = answer.value;
        statelessStates[index] = 'working';
      } else {
        statelessStates[index] = 'failing';
      }
      await pause(pauseMs);
    }
  };

  const running = [...statefulStates.map((_, i) => statefulUser(i)), ...statelessStates.map((_, i) => statelessUser(i))];
  const tally = <S extends string>(states: (S | null)[], all: readonly S[]) => Object.fromEntries(all.map((state) => [state, states.filter((s) => s === state).length])) as Record<S, number>;
  return {
    phase,
    counts: () => ({
      stateful: tally(statefulStates, ['signed-in', 'signed-out', 'failing']),
      stateless: tally(statelessStates, ['working', 'failing']),
      ...totals,
    }),
    stop: async () => {
      stopping = true;
      wake();
      await Promise.all(running);
    },
  };
}
