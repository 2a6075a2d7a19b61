/**
 * The report's headlines: ratios measured in the same run, each with its range over the rounds,
 * checked against the project's targets. A target inside the range is "within noise", not met.
 */
import { maxOf, minOf } from './extremes.ts';
import { ARRIVAL_KNEE, type ArrivalRow, type CapacityRow, type CutoverRun, type FailoverRow, type Headline, type PeerRow, type ThroughputRow } from './results.ts';
import { REDIS_RESUMED_MID_FAILOVER } from './scenarios/failover.ts';

function row(rows: ThroughputRow[], endpoint: string, target: string): ThroughputRow | undefined {
  return rows.find((r) => r.endpoint === endpoint && r.target === target);
}

function verdict(low: number, high: number, target: number | null, better: 'higher' | 'lower'): Headline['verdict'] {
  if (target === null) return 'info';
  const [worst, best] = better === 'higher' ? [low, high] : [high, low];
  const meets = (v: number) => (better === 'higher' ? v >= target : v <= target);
  if (meets(worst)) return 'met';
  if (!meets(best)) return 'missed';
  return 'within noise';
}

function ratio(name: string, a: ThroughputRow | undefined, b: ThroughputRow | undefined, target: number | null, explanation: string): Headline | null {
  if (!a || !b || b.requestsPerSecond === 0) return null;
  const ra = a.rounds.map((r) => r.requestsPerSecond);
  const rb = b.rounds.map((r) => r.requestsPerSecond);
  const low = minOf(ra, 0) / maxOf(rb, 0);
  const high = maxOf(ra, 0) / minOf(rb, 0);
  return { name, value: a.requestsPerSecond / b.requestsPerSecond, low, high, unit: '×', target, better: 'higher', verdict: verdict(low, high, target, 'higher'), explanation };
}

function single(name: string, value: number | null, unit: Headline['unit'], target: number | null, better: 'higher' | 'lower', explanation: string): Headline | null {
  if (value === null || Number.isNaN(value)) return null;
  return { name, value, low: value, high: value, unit, target, better, verdict: verdict(value, value, target, better), explanation };
}

export function headlines(throughput: ThroughputRow[], capacity: CapacityRow[], failover: FailoverRow[], cutover: CutoverRun[] = [], peers: PeerRow[] = [], arrival: ArrivalRow[] = []): Headline[] {
  const info = (t: string) => row(throughput, 'stateless info', t);
  const list: (Headline | null)[] = [
    ratio('phase 2 stateless, direct ÷ bare node:http', info('phase2 direct'), info('baseline-node-http'), 0.7, 'What Fastify, validation against the contract, hooks, metrics and security headers cost on a request that touches no store. In a CPU profile the socket write is a fifth of it (in the kernel); helmet, which @fastify/helmet re-ran on every request, was a tenth until its headers were worked out once at start-up.'),
    ratio('phase 2 stateful read, direct ÷ bare node:http', row(throughput, 'stateful counter read', 'phase2 direct'), info('baseline-node-http'), 0.5, 'Adds a Redis round trip (one Lua script) per request.'),
    ratio('phase 2 increment, direct ÷ bare node:http', row(throughput, 'stateful increment', 'phase2 direct'), info('baseline-node-http'), 0.4, 'Adds the write and, in this topology, WAIT for a replica to confirm it.'),
    ratio('phase 1 stateless ÷ bare Express', info('phase1-mock'), info('baseline-express'), 0.9, "The mockup's own code on top of Express: validation against the contract, metrics, request ids. In a CPU profile express-openapi-validator turns every path of the contract into a regular expression on every request (its lookupRoute, about 15 %), and garbage collection takes 9 %."),
    ratio('bare Fastify ÷ bare node:http', info('baseline-fastify'), info('baseline-node-http'), null, 'The framework alone.'),
    ratio('bare Express ÷ bare node:http', info('baseline-express'), info('baseline-node-http'), null, 'The framework alone.'),
    ratio('phase 2 via nginx ÷ phase 2 direct (stateless)', info('phase2 via nginx'), info('phase2 direct'), null, 'The load balancer hop, on the same machine: nginx and the instances share the cores.'),
    ratio('phase 2 ÷ phase 1, stateful read (direct)', row(throughput, 'stateful counter read', 'phase2 direct'), row(throughput, 'stateful counter read', 'phase1-mock'), null, 'A Map lookup against a network round trip to Redis.'),
  ];

  const redis = capacity.find((c) => c.phase === 'phase2-production');
  const biggest = redis?.steps.at(-1);
  list.push(single(`bytes per session in Redis at ${biggest?.sessions.toLocaleString('en') ?? '?'} sessions`, biggest?.bytesPerSession ?? null, 'bytes', 300, 'lower', 'Hash fields, the key and its expiry, as Redis counts them (used_memory).'));
  const memory = capacity.find((c) => c.phase === 'phase1-mock')?.steps.at(-1);
  list.push(single(`bytes per session in phase 1's heap at ${memory?.sessions.toLocaleString('en') ?? '?'} sessions`, memory?.bytesPerSession ?? null, 'bytes', null, 'lower', 'JavaScript objects in a Map, plus whatever garbage was not yet collected.'));
  for (const c of capacity) {
    const first = c.steps[0];
    const last = c.steps.at(-1);
    if (first && last && first !== last && first.readP99Ms > 0) {
      list.push(single(`${c.phase}: p99 session read at ${last.sessions.toLocaleString('en')} ÷ at ${first.sessions.toLocaleString('en')} sessions`, last.readP99Ms / first.readP99Ms, '×', c.phase === 'phase2-production' ? 1.5 : null, 'lower', 'Whether reading one session slows down as the store fills.'));
    }
  }

  for (const f of failover) {
    if (f.phase !== 'phase2-production') continue;
    if (f.fault === 'one instance killed' || f.fault === 'rolling restart') {
      list.push(single(`${f.fault}: sessions lost`, f.sessionsLost, 'sessions', 0, 'lower', `Out of ${f.sessionsKnown} made before.`));
      list.push(single(`${f.fault}: idempotent requests failed`, f.failedIdempotent, 'requests', 0, 'lower', `Of ${f.requests}; ${f.failed - f.failedIdempotent} POST failed (not retried), ${f.resent} resent by the client.`));
    }
    if (f.fault === 'Redis primary killed') list.push(single('Redis failover: writes back after', f.recoveredAfterMs, 'ms', 5000, 'lower', 'Sentinel notices in 1 s, agrees, promotes a replica; every instance then follows.'));
  }
  // Every phase 2 fault's durability count but the one whose loss is the lesson (it has its own headline).
  const counted = failover.flatMap((f) => (f.phase === 'phase2-production' && f.fault !== REDIS_RESUMED_MID_FAILOVER && f.writes ? [f.writes] : []));
  const midFailover = failover.find((f) => f.fault === REDIS_RESUMED_MID_FAILOVER);
  if (midFailover?.writes) {
    list.push(single('Redis primary resumed mid-failover: acknowledged writes lost', midFailover.writes.acknowledgedLost, 'requests', null, 'lower', `Of ${midFailover.writes.acknowledged} acknowledged: the window asynchronous replication leaves (ADR 7).`));
  }
  if (counted.length > 0) {
    const lost = counted.reduce((n, writes) => n + writes.acknowledgedLost, 0);
    const acknowledged = counted.reduce((n, writes) => n + writes.acknowledged, 0);
    list.push(single('phase 2, every fault: acknowledged writes lost', lost, 'requests', 0, 'lower', `Of ${acknowledged} increments acknowledged across ${counted.length} faults, read back afterwards.`));
  }
  const phase1Kill = failover.find((f) => f.phase === 'phase1-mock');
  if (phase1Kill) list.push(single('phase 1 restart: sessions lost', phase1Kill.sessionsLost, 'sessions', null, 'lower', `Out of ${phase1Kill.sessionsKnown}: all of them, by design.`));
  const phase2 = peers.find((p) => p.target === 'phase2 direct');
  const others = peers.filter((p) => p.target !== 'phase2 direct' && p.target !== 'phase1-mock');
  const fastest = (pick: (p: PeerRow) => ThroughputRow) => others.reduce<PeerRow | undefined>((best, p) => (!best || pick(p).requestsPerSecond > pick(best).requestsPerSecond ? p : best), undefined);
  const fastRead = fastest((p) => p.read);
  const fastIncrement = fastest((p) => p.increment);
  if (phase2 && fastRead) list.push(ratio('phase 2 stateful read ÷ the faster peer', phase2.read, fastRead.read, 2, `Against ${fastRead.target} on the same Redis: the peers read and write the whole session as one JSON value on every request.`));
  if (phase2 && fastIncrement) list.push(ratio('phase 2 increment ÷ the faster peer', phase2.increment, fastIncrement.increment, 2, `Against ${fastIncrement.target}; phase 2 also waits for a replica (WAIT 1) on every change, the peers do not.`));
  for (const p of peers) {
    list.push(single(`${p.target}: concurrent increments lost`, p.lostUpdates, 'requests', p.target === 'phase2 direct' || p.target === 'phase1-mock' ? 0 : null, 'lower', `Of ${p.acknowledged} acknowledged on one session shared by every connection; the counter read back ${p.finalValue}.`));
  }
  for (const run of cutover) {
    const { final } = run;
    const how = run.name === 'forward' ? `${run.planned.join(' → ')} %` : `canary with ${run.fault ?? 'no fault'}, ${run.rollback ? `rolled back by ${run.rollback.triggers.join(', ')}` : 'not rolled back'}`;
    list.push(single(`cutover ${run.name}: sessions lost`, final.sessionsLost + final.unreadable, 'sessions', 0, 'lower', `Of ${final.sessions} users' sessions (${how}); ${run.moved} were answered by phase 2, ${run.handovers} handovers in all.`));
    list.push(single(`cutover ${run.name}: acknowledged changes lost`, final.acknowledgedLost, 'requests', 0, 'lower', `Of ${final.acknowledged} increments acknowledged, read back at the end.`));
  }
  const bound = `p99 ≤ ${ARRIVAL_KNEE.p99Ms} ms and under ${ARRIVAL_KNEE.failedShare * 100} % failed`;
  for (const a of arrival) {
    list.push(single(`${a.target}: the knee, stateful reads arriving at a set rate`, a.knee ?? 0, 'req/s', null, 'higher', a.knee === null ? `Not even the lowest rate tried held (${bound}).` : `The highest arrival rate that held ${bound}, latency counted from when each request was due.`));
  }
  const knee = (target: string) => arrival.find((a) => a.target === target)?.knee ?? null;
  const [one, two] = [knee('phase1-mock'), knee('phase2 via nginx')];
  if (one !== null && two !== null && one > 0) list.push(single('knee: phase 2 via nginx ÷ phase 1', two / one, '×', null, 'higher', 'Both on this one machine: phase 2 spends its cores on nginx, TLS, three instances and Redis, which separate machines would each bring their own of.'));
  return list.filter((h): h is Headline => h !== null);
}
