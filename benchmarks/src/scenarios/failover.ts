/**
 * Scenario 3, failover under a steady load, using the harness's faults: phase 1's one process
 * killed and restarted; for phase 2, an instance killed, a rolling restart, the Redis primary
 * killed, PostgreSQL stopped for a while. For each: failed requests, the error window, sessions
 * lost out of a known set made before, time to recover, and a per-second timeline.
 */
import { faults, failures, mixedSessionLoad, steadyLoad, type LoadResult } from 'harness';
import type { FailoverRow } from '../results.ts';
import { session, type Environment } from '../environment.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fault {
  phase: string;
  name: string;
  url: () => string;
  inject: () => Promise<{ recoveredAfterMs: number | null; notes: string[] }>;
  /** Undo what the fault left behind (restart what stays down), after the measurement. */
  repair?: () => Promise<void>;
}

function timeline(results: LoadResult[]): FailoverRow['timeline'] {
  const seconds = new Map<number, { ok: number; failed: number }>();
  for (const r of results) {
    const second = Math.floor(r.atMs / 1000);
    const bucket = seconds.get(second) ?? { ok: 0, failed: 0 };
    if (r.status !== null && r.status < 500) bucket.ok += 1;
    else bucket.failed += 1;
    seconds.set(second, bucket);
  }
  return [...seconds.entries()].sort(([a], [b]) => a - b).map(([second, counts]) => ({ second, ...counts }));
}

export async function runFailover(env: Environment, options: { knownSessions: number; beforeMs: number; afterMs: number; postgresOutageMs: number }, progress: (label: string) => void, only?: string[]): Promise<FailoverRow[]> {
  const { topology } = env;
  const list: Fault[] = [
    {
      phase: 'phase1-mock',
      name: 'process killed and restarted',
      url: () => env.phase1.url,
      inject: async () => {
        const { observation, restarted } = await faults.killPhase1(env.phase1);
        env.phase1 = restarted;
        return observation;
      },
    },
    {
      phase: 'phase2-production',
      name: 'one instance killed',
      url: () => topology.url,
      inject: () => faults.killInstance(topology, 'api-2'),
      repair: async () => { await faults.restartInstance(topology, 'api-2'); },
    },
    { phase: 'phase2-production', name: 'rolling restart', url: () => topology.url, inject: () => faults.rollingRestart(topology) },
    {
      phase: 'phase2-production',
      name: 'Redis primary killed',
      url: () => topology.url,
      inject: async () => {
        const o = await faults.killRedisPrimary(topology);
        return o;
      },
      repair: async () => {
        // The old primary comes back and Sentinel makes it a replica: the topology is whole again.
        for (const node of topology.stack.redisHa?.nodes ?? []) if (!node.process()) await faults.restartRedisNode(topology, node.name);
      },
    },
    {
      phase: 'phase2-production',
      name: `PostgreSQL stopped ${options.postgresOutageMs / 1000} s`,
      url: () => topology.url,
      inject: async () => {
        const stopped = await faults.stopPostgres(topology);
        await sleep(options.postgresOutageMs);
        const started = await faults.startPostgres(topology);
        return { recoveredAfterMs: started.recoveredAfterMs === null ? null : (stopped.recoveredAfterMs ?? 0) + options.postgresOutageMs + started.recoveredAfterMs, notes: [...stopped.notes, ...started.notes] };
      },
    },
  ];

  const rows: FailoverRow[] = [];
  for (const fault of list.filter((f) => !only || only.includes(f.name))) {
    progress(`${fault.phase}: ${fault.name}`);
    const known = await Promise.all(Array.from({ length: options.knownSessions }, () => session(fault.url())));
    const load = steadyLoad(fault.url(), mixedSessionLoad(known), { workers: 4, pauseMs: 5 });
    await sleep(options.beforeMs);
    const observation = await fault.inject();
    await sleep(options.afterMs);
    const results = await load.stop();
    let lost = 0;
    for (const client of known) {
      const response = await fetch(`${fault.url()}/api/stateful/sessions/current`, { headers: { cookie: client.cookie } });
      await response.arrayBuffer();
      if (response.status === 401) lost += 1;
    }
    const failed = failures(results);
    const failedTimes = failed.map((r) => r.atMs);
    rows.push({
      phase: fault.phase,
      fault: fault.name,
      requests: results.length,
      failed: failed.length,
      failedIdempotent: failed.filter((r) => r.method !== 'POST').length,
      resent: results.filter((r) => r.retried).length,
      errorWindowMs: failedTimes.length > 0 ? Math.max(...failedTimes) - Math.min(...failedTimes) : 0,
      sessionsKnown: known.length,
      sessionsLost: lost,
      recoveredAfterMs: observation.recoveredAfterMs,
      notes: observation.notes,
      timeline: timeline(results),
    });
    await fault.repair?.();
  }
  return rows;
}
