/**
 * Scenario 2, second part: both phases under the same memory budget, sessions created until the
 * limit. Phase 1 gets a V8 heap limit (--max-old-space-size), which covers the app and its
 * sessions: at the limit the process dies, and every session with it. Phase 2's sessions get a
 * Redis of their own with `maxmemory` and `volatile-lru`: at the limit Redis evicts the least
 * recently used sessions (their users must sign in again) and keeps serving. The budget covers
 * only the sessions there; the app's own memory is elsewhere and does not grow with them.
 */
import autocannon from 'autocannon';
import { Cleanup, askRedisUntilAnswered, startPhase1, startPhase2Instance, startRedis, stackEnv } from 'harness';
import type { BudgetRow } from '../results.ts';
import type { Environment } from '../environment.ts';
import { BENCH_ENV } from '../environment.ts';

const BATCH = 5_000;

async function create(url: string, amount: number): Promise<{ created: number; failed: number }> {
  const result = await autocannon({ url: `${url}/api/stateful/sessions`, method: 'POST', amount, connections: 20, timeout: 5 });
  // A session is created with 201, the only 2xx the operation answers.
  const created = result['2xx'];
  return { created, failed: amount - created };
}

/** What happened to phase 1 at its heap limit, in words for the report. */
export function phase1Outcome(end: { died: boolean; outOfMemory: boolean; held: number }): string {
  const held = end.held.toLocaleString('en');
  if (!end.died) return `still running at ${held} sessions (the budget was not reached)`;
  return `${end.outOfMemory ? 'out of memory: ' : ''}the process died after about ${held} sessions, and every session with it`;
}

/** What happened to phase 2's Redis at its maxmemory, in words for the report. */
export function phase2Outcome(end: { evicted: number; live: number; made: number }): string {
  if (end.evicted === 0) return `no eviction after ${end.made.toLocaleString('en')} sessions (the budget was not reached)`;
  return `kept serving; at the limit it holds about ${end.live.toLocaleString('en')} sessions and evicted the ${end.evicted.toLocaleString('en')} least recently used`;
}

export async function runBudget(env: Environment, budget: { mebibytes: number; maxSessions: number }, progress: (label: string) => void): Promise<BudgetRow[]> {
  const rows: BudgetRow[] = [];
  const bytes = budget.mebibytes * 1024 * 1024;
  const cleanup = new Cleanup();
  try {
    // Phase 1: heap limit.
    progress(`phase1-mock: ${budget.mebibytes} MiB heap, sessions until it runs out`);
    const phase1 = await startPhase1(cleanup, { ...BENCH_ENV, NODE_OPTIONS: `--max-old-space-size=${budget.mebibytes}` });
    const child = phase1.process;
    let created = 0;
    let failed = 0;
    let held = 0;
    while (created < budget.maxSessions && !child.exited()) {
      const batch = await create(phase1.url, BATCH);
      created += batch.created;
      failed += batch.failed;
      if (!child.exited()) {
        try {
          held = ((await (await fetch(`${phase1.url}/api/stateful/stats`)).json()) as { liveSessions: number }).liveSessions;
        } catch {
          // it died between the batch and this question
        }
      }
      if (batch.failed > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const died = child.exited();
    const outOfMemory = /heap out of memory|Reached heap limit/i.test(child.recentOutput());
    rows.push({
      phase: 'phase1-mock',
      budgetBytes: bytes,
      limit: `V8 heap limit (--max-old-space-size=${budget.mebibytes}) for the whole process: app and sessions`,
      sessionsCreated: created,
      creationFailures: failed,
      sessionsHeld: died ? 0 : held,
      evicted: 0,
      outcome: phase1Outcome({ died, outOfMemory, held }),
    });
    await phase1.stop();

    // Phase 2: a Redis with maxmemory for the sessions, the same PostgreSQL.
    progress(`phase2-production: Redis maxmemory ${budget.mebibytes} MiB, sessions until it evicts`);
    const redis = await startRedis(cleanup, { name: 'redis-budget', args: ['--maxmemory', `${budget.mebibytes}mb`, '--maxmemory-policy', 'volatile-lru'] });
    const stack = {
      redis,
      redisHa: null,
      redisCluster: null,
      postgresReplica: null,
      pgbouncer: null,
      storeDescription: `redis ${redis.url}, maxmemory ${budget.mebibytes} MiB`,
      postgres: env.topology.stack.postgres,
      workDir: env.topology.stack.workDir,
      env: stackEnv({ redis: { url: redis.url }, databaseUrl: env.topology.stack.postgres.url, jwtSecret: env.topology.stack.env.JWT_SECRET, maintenanceFile: `${env.topology.stack.workDir}/budget-maintenance` }),
    };
    const instance = await startPhase2Instance(cleanup, stack, 'api-budget', BENCH_ENV);
    try {
      let evicted = 0;
      let made = 0;
      let refused = 0;
      // Past the limit by a fifth, to see what the limit does.
      while (made + refused < budget.maxSessions) {
        const batch = await create(instance.url, BATCH);
        made += batch.created;
        refused += batch.failed;
        evicted = Number(/^evicted_keys:(\d+)/m.exec(await askRedisUntilAnswered(redis.port, (client) => client.info('stats')))?.[1] ?? 0);
        if (evicted > made / 5) break;
      }
      const live = await askRedisUntilAnswered(redis.port, (client) => client.dbsize());
      rows.push({
        phase: 'phase2-production',
        budgetBytes: bytes,
        limit: `Redis maxmemory ${budget.mebibytes} MiB, volatile-lru, for the sessions only`,
        sessionsCreated: made,
        creationFailures: refused,
        sessionsHeld: live,
        evicted,
        outcome: phase2Outcome({ evicted, live, made }),
      });
    } finally {
      await instance.process.stop();
    }
  } finally {
    await cleanup.run();
  }
  return rows;
}
