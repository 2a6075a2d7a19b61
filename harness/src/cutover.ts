/**
 * The cutover from phase 1 to phase 2 as its users live through it (docs/decisions/0011-cutover-by-
 * lazy-handover.md): both phases behind one nginx, the same URL throughout; virtual users, each with
 * a session of its own started on phase 1, keep changing it; the share of users phase 2 answers
 * goes up in steps while the rollback triggers are watched, and a firing trigger sends everyone
 * back to phase 1. Sessions move between the phases one by one, on their users' next request.
 *
 * What counts is what the users were told: each acknowledged increment is tallied, and at the end
 * of each step every counter is read back through the public entry and compared (Jepsen-style).
 * `npm run cutover`, the benchmark's cutover scenario and the tests all run this module.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Cleanup } from './cleanup.ts';
import { freePort } from './ports.ts';
import { startPhase1, type RunningPhase } from './phases.ts';
import type { ManagedProcess } from './processes.ts';
import { startPhase2Topology, type Phase2Topology } from './topology.ts';
import type { PostgresMode, RedisMode } from './phase2.ts';
import { checkAcknowledged, startSession, type DurabilityCheck, type SessionClient, type WriterTally } from './load.ts';
import { queryPrometheus } from './infra/prometheus.ts';

export interface CutoverStage {
  /** The public entry (nginx): the one URL users know, before, during and after. */
  url: string;
  phase1: RunningPhase & { process: ManagedProcess };
  topology: Phase2Topology;
  /** Phase 2's share of users now, in percent. */
  share(): number;
  setShare(percent: number): Promise<void>;
}

/**
 * Phase 1 and phase 2 (`instances` behind nginx, one Redis or Sentinel's three) behind the same
 * nginx at 0 %: every user on phase 1. Each phase knows the other's address and the admin token
 * they share, for the handover, and both sign access tokens with the same key.
 */
/** For a crowd of virtual users: they all come from this one machine's address. */
export const SIGN_IN_LIMITS_OFF = { AUTH_RATE_LIMIT_MAX: '0' };

export interface CutoverStageOptions {
  instances?: number;
  ha?: boolean;
  /** The session store's shape, if not the one `ha` says. */
  redis?: RedisMode;
  postgres?: PostgresMode;
  echo?: boolean;
  /** Phase 2's share to start with (default 0: everyone on phase 1). */
  phase2Percent?: number;
  /** Settings for both phases, and for each. */
  env?: Record<string, string>;
  phase1Env?: Record<string, string>;
  phase2Env?: Record<string, string>;
}

export async function startCutoverStage(cleanup: Cleanup, options: CutoverStageOptions = {}): Promise<CutoverStage> {
  const adminToken = randomBytes(24).toString('base64url');
  const phase1Port = await freePort();
  const ports: number[] = [];
  for (let i = 0; i < (options.instances ?? 2); i += 1) ports.push(await freePort());
  const common = { ...options.env, ADMIN_TOKEN: adminToken };
  const echo = options.echo ?? false;
  let share = options.phase2Percent ?? 0;
  const topology = await startPhase2Topology(cleanup, {
    instances: ports.length,
    ha: options.ha ?? false,
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.postgres ? { postgres: options.postgres } : {}),
    ports,
    env: { ...common, ...options.phase2Env, HANDOVER_PEERS: `http://127.0.0.1:${phase1Port}` },
    echo,
    cutover: { phase1: { port: phase1Port }, phase2Percent: share },
  });
  // Phase 2's signing key too, so an access token either phase issued is good on the other.
  const phase1 = await startPhase1(cleanup, {
    ...common,
    ...options.phase1Env,
    PORT: String(phase1Port),
    JWT_SECRET: topology.stack.env.JWT_SECRET,
    HANDOVER_PEERS: ports.map((port) => `http://127.0.0.1:${port}`).join(','),
  }, { echo });
  return {
    url: topology.url,
    phase1,
    topology,
    share: () => share,
    setShare: async (percent) => {
      await topology.nginx.setPhase2Share(percent);
      share = percent;
    },
  };
}

/** One request a user made: when (ms since the run began), how long, the answer, which phase gave it. */
export interface CutoverSample {
  at: number;
  ms: number;
  /** null: no answer (connection refused or reset, timed out). */
  status: number | null;
  phase: 'phase1' | 'phase2' | null;
}

export interface CutoverUser {
  client: SessionClient;
  tally: WriterTally;
  /** The phases that answered this user. */
  servedBy: Set<'phase1' | 'phase2'>;
  /** How often the phase answering this user changed: each change is the session handed over. */
  moves: number;
  lastPhase: 'phase1' | 'phase2' | null;
  /** The session was answered 401 after it had been accepted: lost, and this user stopped. */
  lost: boolean;
}

export interface CutoverUsers {
  users: CutoverUser[];
  samples: CutoverSample[];
  stop(): Promise<void>;
}

const PRODUCT = 'kb-001';
/** A mutation is sent up to this many times with its Idempotency-Key, as a careful client would. */
const ATTEMPTS = 3;

function phaseOf(servedBy: string | null): CutoverSample['phase'] {
  if (servedBy?.startsWith('phase1')) return 'phase1';
  if (servedBy?.startsWith('phase2')) return 'phase2';
  return null;
}

/**
 * `count` users, each starting a guest session through `url` and then, until stopped: increment its
 * counter, add a keyboard to its cart and remove it (the cart is priced from the catalog, so these
 * also need phase 2's PostgreSQL), read its counter. Mutations carry an Idempotency-Key and are
 * sent again on a 503 (after Retry-After) or no answer: a retry is applied at most once. Each user
 * waits `pauseMs` (its think time) after each round.
 */
export async function startCutoverUsers(url: string, count: number, t0: number, options: { pauseMs?: number } = {}): Promise<CutoverUsers> {
  const samples: CutoverSample[] = [];
  const users: CutoverUser[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = await startSession(url);
    if (!started.client) throw new Error(`a virtual user could not start a session: HTTP ${started.status}`);
    users.push({ client: started.client, tally: { client: started.client, acknowledged: 0, attempted: 0, lastValue: 0 }, servedBy: new Set(), moves: 0, lastPhase: null, lost: false });
  }
  let stopping = false;

  const send = async (user: CutoverUser, method: string, path: string, body?: object): Promise<{ status: number | null; json: unknown }> => {
    const key = randomUUID();
    let last: { status: number | null; json: unknown } = { status: null, json: null };
    for (let attempt = 0; attempt < (method === 'GET' ? 1 : ATTEMPTS); attempt += 1) {
      const begun = performance.now();
      try {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: {
            cookie: user.client.cookie,
            ...(method === 'GET' ? {} : { 'x-csrf-token': user.client.csrf, 'idempotency-key': key }),
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(15_000),
        });
        const json: unknown = await response.json().catch(() => null);
        const phase = phaseOf(response.headers.get('x-served-by'));
        samples.push({ at: Math.round(begun - t0), ms: performance.now() - begun, status: response.status, phase });
        if (phase) {
          user.servedBy.add(phase);
          if (user.lastPhase !== null && user.lastPhase !== phase) user.moves += 1;
          user.lastPhase = phase;
        }
        last = { status: response.status, json };
        if (response.status !== 503 || stopping) return last;
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(retryAfter) ? retryAfter : 1, 2) * 1000));
      } catch {
        samples.push({ at: Math.round(begun - t0), ms: performance.now() - begun, status: null, phase: null });
        last = { status: null, json: null };
        if (stopping) return last;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return last;
  };

  const live = async (user: CutoverUser) => {
    while (!stopping && !user.lost) {
      user.tally.attempted += 1;
      const increment = await send(user, 'POST', '/api/stateful/counter/increment');
      if (increment.status === 200) {
        user.tally.acknowledged += 1;
        user.tally.lastValue = (increment.json as { value: number }).value;
      }
      const added = await send(user, 'POST', '/api/stateful/cart/items', { productId: PRODUCT, quantity: 1 });
      if (added.status === 200) await send(user, 'DELETE', `/api/stateful/cart/items/${PRODUCT}`);
      const read = await send(user, 'GET', '/api/stateful/counter');
      if ([increment, added, read].some((answer) => answer.status === 401)) user.lost = true;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 20));
    }
  };
  const running = users.map(live);
  return {
    users,
    samples,
    stop: async () => {
      stopping = true;
      await Promise.all(running);
    },
  };
}

/** What the rollback triggers read at one moment, for phase 2. */
export interface TriggerReading {
  at: number;
  /** The rollback alerts firing (their names), from Prometheus and from the users' own count of lost sessions. */
  firing: string[];
  /** phase:http_server_errors:ratio_rate1m, the error-rate trigger's series (null before there is traffic). */
  errorRatio: number | null;
  /** phase:http_request_duration_seconds:p99_1m in ms, the latency trigger's series. */
  p99Ms: number | null;
}

export interface RollbackTriggers {
  read(at: number): Promise<TriggerReading>;
}

const PHASE2 = 'phase2-production';

async function firstValue(prometheusUrl: string, expr: string): Promise<number | null> {
  const value = (await queryPrometheus(prometheusUrl, expr))[0]?.value;
  return value === undefined || !Number.isFinite(value) ? null : value;
}

/**
 * The transition plan's triggers as Prometheus evaluates them (phase2-production/deployment/
 * monitoring/rules.yml, the alerts labelled trigger="rollback"), for phase 2; and the users' own
 * count of sessions lost, which no server can count (it no longer has them).
 */
export function prometheusTriggers(prometheusUrl: string, users: () => readonly CutoverUser[]): RollbackTriggers {
  return {
    read: async (at) => {
      const response = await fetch(`${prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) });
      const body = (await response.json()) as { data?: { alerts?: { labels: Record<string, string>; state: string }[] } };
      const firing = (body.data?.alerts ?? [])
        .filter((alert) => alert.state === 'firing' && alert.labels.trigger === 'rollback' && (alert.labels.phase ?? PHASE2) === PHASE2)
        .map((alert) => alert.labels.alertname ?? 'unnamed alert');
      const lost = users().filter((user) => user.lost).length;
      if (lost > 0) firing.push(`SessionsLost (${lost} counted by the users)`);
      const errorRatio = await firstValue(prometheusUrl, `phase:http_server_errors:ratio_rate1m{phase="${PHASE2}"}`);
      const p99 = await firstValue(prometheusUrl, `phase:http_request_duration_seconds:p99_1m{phase="${PHASE2}"}`);
      return { at, firing: [...new Set(firing)], errorRatio, p99Ms: p99 === null ? null : p99 * 1000 };
    },
  };
}

/** A fault to inject into phase 2 during a step, and how to heal it once the run is over. */
export interface PlannedFault {
  name: string;
  /** The step (index into `steps`) during which it is injected, and how long into it. */
  atStep: number;
  afterMs: number;
  inject(): Promise<unknown>;
  heal(): Promise<unknown>;
}

export interface CutoverPlan {
  /** Phase 2's share at each step, in percent (for example 10, 50, 100). */
  steps: number[];
  holdMs: number;
  /** How often the triggers are read. */
  watchEveryMs?: number;
  fault?: PlannedFault | undefined;
  /** After a rollback, how long the users go on (their sessions move back meanwhile). */
  afterRollbackMs?: number;
}

export interface CutoverStep {
  share: number;
  from: number;
  to: number;
  /** Every user's counter read back at the step's end, against what each had been told by then. */
  check: DurabilityCheck | null;
}

export interface CutoverTimeline {
  steps: CutoverStep[];
  events: { at: number; what: string }[];
  readings: TriggerReading[];
  rollback: { at: number; triggers: string[] } | null;
}

/**
 * Reads every user's counter back through the public entry and compares it with what each had been
 * acknowledged when the read began. The users keep writing, so a counter may be higher than that:
 * only one lower is a loss.
 */
export async function readBack(url: string, users: readonly CutoverUser[]): Promise<DurabilityCheck> {
  const snapshot = users.map((user) => ({ ...user.tally, attempted: Number.MAX_SAFE_INTEGER }));
  return checkAcknowledged(url, snapshot, 60_000);
}

/** Steps phase 2's share up, watching the triggers; a firing one sends every user back to phase 1. */
export async function runCutover(stage: CutoverStage, users: CutoverUsers, plan: CutoverPlan, triggers: RollbackTriggers, t0: number, log: (line: string) => void = () => undefined): Promise<CutoverTimeline> {
  const timeline: CutoverTimeline = { steps: [], events: [], readings: [], rollback: null };
  const now = () => Math.round(performance.now() - t0);
  const event = (what: string) => {
    timeline.events.push({ at: now(), what });
    log(`${(now() / 1000).toFixed(1).padStart(6)} s  ${what}`);
  };
  // Set inside `hold`: an object, so the check after the steps is not narrowed to its initial value.
  const fault = { injected: false };
  const hold = async (ms: number, stepIndex: number | null) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const step = stepIndex === null ? null : timeline.steps[stepIndex];
      const planned = plan.fault;
      if (planned && step && !fault.injected && planned.atStep === stepIndex && now() - step.from >= planned.afterMs) {
        fault.injected = true;
        event(`fault: ${planned.name}`);
        await planned.inject();
      }
      const reading = await triggers.read(now());
      timeline.readings.push(reading);
      if (reading.firing.length > 0 && timeline.rollback === null && stage.share() > 0) return reading.firing;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(plan.watchEveryMs ?? 1000, until - performance.now()))));
    }
    return [];
  };

  for (const [index, share] of plan.steps.entries()) {
    // A step begins when nginx is told: its new workers answer while the old ones finish.
    timeline.steps.push({ share, from: now(), to: now(), check: null });
    await stage.setShare(share);
    event(`phase 2 answers ${share} % of users`);
    const firing = await hold(plan.holdMs, index);
    const step = timeline.steps[index] as CutoverStep;
    if (firing.length > 0) {
      timeline.rollback = { at: now(), triggers: firing };
      step.to = now();
      const back: CutoverStep = { share: 0, from: now(), to: now(), check: null };
      timeline.steps.push(back);
      await stage.setShare(0);
      event(`rollback: ${firing.join(', ')} firing; phase 2 answers 0 % of users`);
      await hold(plan.afterRollbackMs ?? plan.holdMs, null);
      back.to = now();
      back.check = await readBack(stage.url, users.users);
      break;
    }
    step.to = now();
    step.check = await readBack(stage.url, users.users);
    event(`read back at ${share} %: ${step.check.sessionsLost} sessions lost, ${step.check.acknowledgedLost} acknowledged increments lost`);
  }
  if (fault.injected && plan.fault) {
    await plan.fault.heal();
    event(`fault undone: ${plan.fault.name}`);
  }
  return timeline;
}

/** One step of a cutover: phase 2's share held for a while, then every user's counter read back. */
export interface StepSummary {
  share: number;
  seconds: number;
  requests: number;
  /** Answers 5xx or none at all, retries included: what users saw before their retry succeeded. */
  failures: number;
  p99Ms: number | null;
  /** The requests phase 2 answered, in percent (the share is of users, this is of requests). */
  servedByPhase2: number;
  sessionsLost: number;
  acknowledgedLost: number;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Each step's requests, failures, p99, observed share, and what its read-back found. */
export function summarizeSteps(timeline: CutoverTimeline, samples: readonly CutoverSample[]): StepSummary[] {
  return timeline.steps.map((step) => {
    const inStep = samples.filter((s) => s.at >= step.from && s.at < step.to);
    const answeredByPhase = inStep.filter((s) => s.phase !== null);
    return {
      share: step.share,
      seconds: Math.round((step.to - step.from) / 100) / 10,
      requests: inStep.length,
      failures: inStep.filter((s) => s.status === null || s.status >= 500).length,
      p99Ms: percentile(inStep.map((s) => s.ms), 99),
      servedByPhase2: answeredByPhase.length === 0 ? 0 : Math.round((1000 * answeredByPhase.filter((s) => s.phase === 'phase2').length) / answeredByPhase.length) / 10,
      sessionsLost: step.check?.sessionsLost ?? 0,
      acknowledgedLost: step.check?.acknowledgedLost ?? 0,
    };
  });
}
