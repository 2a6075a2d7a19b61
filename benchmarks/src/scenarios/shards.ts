/**
 * Sessions across shards: phase 2 on a Redis Cluster of three shards (each a primary and a
 * replica, WAIT 1), a stage of its own beside the run's environment. Sessions grow in steps; at
 * each, every shard's primary says how many keys it holds and the memory they take (DBSIZE,
 * INFO memory), and a session read is timed. What to see: the sessions split about evenly, so each
 * primary holds and serves a third, and a shard's memory grows with its share.
 */
import autocannon from 'autocannon';
import { Cleanup, askRedis, startPhase2Infrastructure, startPhase2Instance, type ClusterShard } from 'harness';
import type { LoadParameters, ShardsStep } from '../results.ts';
import { BENCH_ENV, session } from '../environment.ts';

/** Each shard's primary: its slots, its keys and the memory Redis says it uses (grownBytes: 0, set by the caller). */
async function shardFigures(shards: ClusterShard[]): Promise<ShardsStep['shards']> {
  return Promise.all(shards.map(async (shard) => {
    const figures = await askRedis(shard.primary.port, async (redis) => ({ keys: await redis.dbsize(), memory: Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0) }));
    if (!figures) throw new Error(`${shard.primary.name} did not answer`);
    return { primary: shard.primary.name, slots: shard.slots.reduce((n, [from, to]) => n + to - from + 1, 0), keys: figures.keys, usedMemoryBytes: figures.memory, grownBytes: 0 };
  }));
}

/**
 * Creates `count` sessions, topping up what a busy machine refused (a 503 while a shard was slow
 * to answer) until every one was acknowledged, so that a step holds the sessions it says. The
 * refusals are reported; each may still have written its session (an unknown outcome, as a
 * timeout is), which is why the shards' key count is bounded by them, not equal to the target.
 */
async function createUpTo(url: string, count: number, connections: number): Promise<{ perSecond: number; errors: number }> {
  let acknowledged = 0;
  let errors = 0;
  let perSecond = 0;
  for (let round = 0; acknowledged < count; round += 1) {
    if (round === 5) throw new Error(`only ${String(acknowledged)} of ${String(count)} sessions were created in five rounds`);
    // A generous timeout: on two shared cores a request can wait seconds, and one given up on has an unknown outcome.
    const result = await autocannon({ url: `${url}/api/stateful/sessions`, method: 'POST', amount: count - acknowledged, connections, timeout: 60 });
    const statuses = Object.entries(result.statusCodeStats as Record<string, { count: number }>);
    const created = statuses.filter(([status]) => status === '201').reduce((n, [, c]) => n + c.count, 0);
    const answered = statuses.reduce((n, [, c]) => n + c.count, 0);
    if (round === 0) perSecond = result.requests.average;
    acknowledged += created;
    // autocannon's errors include its timeouts; the other refusals are the answers other than 201.
    errors += result.errors + answered - created;
  }
  return { perSecond, errors };
}

export async function runShards(steps: number[], load: LoadParameters, progress: (label: string) => void): Promise<ShardsStep[]> {
  const cleanup = new Cleanup();
  try {
    progress('starting phase 2 on a Redis Cluster of three shards');
    const stack = await startPhase2Infrastructure(cleanup, { redis: 'cluster' });
    const cluster = stack.redisCluster;
    if (!cluster) throw new Error('no cluster started');
    const { url } = await startPhase2Instance(cleanup, stack, 'api-1', BENCH_ENV);
    const baseline = await shardFigures(await cluster.shards());
    const measured: ShardsStep[] = [];
    let created = 0;
    for (const target of steps) {
      progress(`growing to ${target.toLocaleString('en')} sessions over the shards`);
      const made = await createUpTo(url, target - created, Math.max(load.connections, 20));
      created = target;
      const { cookie } = await session(url);
      const read = await autocannon({ url: `${url}/api/stateful/counter`, headers: { cookie }, connections: load.connections, duration: load.roundSeconds });
      const shards = await shardFigures(await cluster.shards());
      measured.push({
        sessions: target,
        shards: shards.map((shard) => ({ ...shard, grownBytes: shard.usedMemoryBytes - (baseline.find((b) => b.primary === shard.primary)?.usedMemoryBytes ?? shard.usedMemoryBytes) })),
        readP99Ms: read.latency.p99,
        createPerSecond: made.perSecond,
        createErrors: made.errors,
      });
    }
    return measured;
  } finally {
    await cleanup.run();
  }
}
