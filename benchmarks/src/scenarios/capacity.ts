/**
 * Scenario 2, session capacity: live sessions grown in steps; at each step, the memory the
 * sessions take (phase 1: the process's V8 heap; phase 2: Redis's used_memory on the primary) per
 * live session, and the latency of reading one session while the store holds them all.
 */
import autocannon from 'autocannon';
import { askRedisUntilAnswered, faults } from 'harness';
import { HEAP_MIN_SESSIONS, type CapacityRow, type CapacityStep, type LoadParameters } from '../results.ts';
import { session, type Environment } from '../environment.ts';
import { run } from '../measure.ts';

/**
 * Memory per session at a step, or null where the figure would mean nothing: a V8 heap holding
 * fewer than HEAP_MIN_SESSIONS sessions, or memory that did not grow (a collection between the
 * readings). Redis counts what it holds exactly, so its figure stands at every step.
 */
export function bytesPerSession(exact: boolean, sessions: number, grownBytes: number): number | null {
  if (!exact && sessions < HEAP_MIN_SESSIONS) return null;
  return grownBytes > 0 ? grownBytes / sessions : null;
}

async function phase1Heap(url: string): Promise<number> {
  // The lowest of a few readings: heap used includes garbage not yet collected.
  let lowest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i += 1) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = /^nodejs_heap_size_used_bytes\{[^}]*\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
    if (match?.[1]) lowest = Math.min(lowest, Number(match[1]));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return lowest;
}

async function redisUsedMemory(env: Environment): Promise<number> {
  // The benchmarks run phase 2 with Sentinels: the sessions are on whichever node is primary now.
  const primary = await faults.primaryOf(env.topology, 'the capacity scenario');
  const info = await askRedisUntilAnswered(primary.port, (redis) => redis.info('memory'));
  const used = /^used_memory:(\d+)/m.exec(info)?.[1];
  if (used === undefined) throw new Error('INFO memory has no used_memory');
  return Number(used);
}

/** `count` new sessions; always more than 0, the profiles' steps growing (profiles.ts). */
async function createSessions(url: string, count: number, connections: number): Promise<{ perSecond: number; errors: number }> {
  const result = await autocannon({ url: `${url}/api/stateful/sessions`, method: 'POST', amount: count, connections });
  const non201 = Object.entries(result.statusCodeStats as Record<string, { count: number }>).filter(([s]) => s !== '201').reduce((n, [, c]) => n + c.count, 0);
  return { perSecond: result.requests.average, errors: result.errors + result.timeouts + non201 };
}

async function readLatency(url: string, load: LoadParameters): Promise<{ p50: number; p99: number }> {
  const { cookie } = await session(url);
  // measure.ts's run: latencies to the microsecond, every answer counted.
  const round = await run(url, [{ method: 'GET', path: '/api/stateful/counter', template: '/api/stateful/counter', headers: { cookie } }], load, load.roundSeconds);
  return { p50: round.latencyMs.p50, p99: round.latencyMs.p99 };
}

export async function runCapacity(env: Environment, steps: number[], load: LoadParameters, progress: (label: string) => void): Promise<CapacityRow[]> {
  const phases = [
    { phase: 'phase1-mock', url: env.targets.phase1.url, memorySource: 'V8 heap used by the phase 1 process', exact: false, memory: () => phase1Heap(env.targets.phase1.url) },
    { phase: 'phase2-production', url: env.targets.phase2Direct.url, memorySource: 'Redis used_memory on the primary', exact: true, memory: () => redisUsedMemory(env) },
  ];
  const rows: CapacityRow[] = [];
  for (const p of phases) {
    const baseline = await p.memory();
    const row: CapacityRow = { phase: p.phase, memorySource: p.memorySource, baselineMemoryBytes: baseline, steps: [] };
    let created = 0;
    for (const target of steps) {
      progress(`${p.phase}: growing to ${target.toLocaleString('en')} sessions`);
      const made = await createSessions(p.url, target - created, Math.max(load.connections, 20));
      created = target;
      const memory = await p.memory();
      progress(`${p.phase}: reading a session among ${target.toLocaleString('en')}`);
      const latency = await readLatency(p.url, load);
      const step: CapacityStep = {
        sessions: target,
        memoryBytes: memory,
        bytesPerSession: bytesPerSession(p.exact, target, memory - baseline),
        readP50Ms: latency.p50,
        readP99Ms: latency.p99,
        createPerSecond: made.perSecond,
        createErrors: made.errors,
      };
      row.steps.push(step);
    }
    rows.push(row);
  }
  return rows;
}
