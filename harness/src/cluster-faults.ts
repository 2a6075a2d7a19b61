/**
 * The Redis faults on a Redis Cluster (`npm run up -- --redis cluster`), under the same action names
 * as on the Sentinel topology (faults.ts sends them here). Each acts on one shard: the others hold
 * their own sessions and should not notice. What counts as recovered is the broken shard's own
 * sessions acknowledging writes again, checked on a probe session that lives on that shard.
 *
 * Every shard has one replica and phase 2 waits for one (WAIT 1): a shard whose replica is gone,
 * killed or promoted, takes no acknowledged write until a node rejoins it as a replica
 * (`restart-redis <node>`). Its sessions are still read meanwhile. ADR 12 says why, and how a spare
 * replica would lift it.
 */
import { sessionKey } from 'phase2-production/session-keys';
import type { Phase2Topology } from './topology.ts';
import type { ClusterShard, RunningRedisCluster } from './infra/redis-cluster.ts';
import { askRedis } from './infra/redis-probe.ts';
import type { RedisNode } from './infra/redis-ha.ts';
import type { ManagedProcess } from './processes.ts';
import { startSession, type SessionClient } from './load.ts';
import { exited, finish, observation, sleep, until, type Observation } from './observation.ts';

export function clusterOf(topology: Phase2Topology, action: string): RunningRedisCluster {
  const cluster = topology.stack.redisCluster;
  if (!cluster) throw new Error(`${action} on a cluster needs the Redis Cluster topology (--redis cluster)`);
  return cluster;
}

/** The shard a node serves now (as its primary or one of its replicas), or the first shard. */
async function shardOf(cluster: RunningRedisCluster, action: string, nodeName?: string): Promise<ClusterShard> {
  const shards = await cluster.shards();
  const shard = nodeName === undefined ? shards[0] : shards.find((s) => s.primary.name === nodeName || s.replicas.some((r) => r.name === nodeName));
  if (!shard) throw new Error(nodeName === undefined ? `${action}: the cluster reports no shard` : `${action}: ${nodeName} serves no shard now; the nodes are ${cluster.nodes.map((n) => n.name).join(', ')}`);
  return shard;
}

/** The hash slot a session's keys are on: its bucket's (the first character of its id), asked of a node. */
async function slotOf(cluster: RunningRedisCluster, sessionId: string): Promise<number> {
  for (const node of cluster.nodes) {
    if (!node.process()) continue;
    const slot = await askRedis(node.port, (redis) => redis.call('CLUSTER', 'KEYSLOT', sessionKey(sessionId)) as Promise<number>);
    if (slot !== null) return slot;
  }
  throw new Error('no cluster node answers');
}

/** The shard's primary and its process: refused when it is not running. */
async function runningShardPrimary(cluster: RunningRedisCluster, action: string, target: string | undefined): Promise<{ shard: ClusterShard; primary: RedisNode; process: ManagedProcess }> {
  const shard = await shardOf(cluster, action, target);
  const process = shard.primary.process();
  if (!process) throw new Error(`${action}: ${shard.primary.name} is not running`);
  return { shard, primary: shard.primary, process };
}

const inSlots = (slot: number, ranges: [number, number][]) => ranges.some(([from, to]) => slot >= from && slot <= to);

/** A new session (through nginx) whose keys live on this shard: sessions are made until one lands there. */
export async function sessionOnShard(topology: Phase2Topology, shard: ClusterShard): Promise<SessionClient> {
  const cluster = clusterOf(topology, 'a probe session');
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const { client, status, retryAfterSeconds } = await startSession(topology.url);
    if (!client) {
      // Refused by the sign-in limit (the lab's virtual users share it): when it says, at most 10 s.
      await sleep(status === 429 ? Math.min(10, retryAfterSeconds ?? 1) * 1000 : 100);
      continue;
    }
    const id = client.cookie.replace(/^sid=/, '');
    if (inSlots(await slotOf(cluster, id), shard.slots)) return client;
  }
  throw new Error(`no new session landed on ${shard.primary.name}'s shard in 400 tries: does it take writes now? (without a replica it takes none: restart-redis brings one back)`);
}

const increments = (topology: Phase2Topology, probe: SessionClient) => async () =>
  (await fetch(`${topology.url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie: probe.cookie, 'x-csrf-token': probe.csrf }, signal: AbortSignal.timeout(2000) })).status === 200;
const reads = (topology: Phase2Topology, probe: SessionClient) => async () =>
  (await fetch(`${topology.url}/api/stateful/counter`, { headers: { cookie: probe.cookie }, signal: AbortSignal.timeout(2000) })).status === 200;

async function roleOf(port: number): Promise<'primary' | 'replica' | 'down'> {
  const info = await askRedis(port, (redis) => redis.info('replication'));
  if (info === null) return 'down';
  return info.includes('role:master') ? 'primary' : 'replica';
}

/** The node that serves these slots as primary now, once it is another than `old`. */
async function promotedFor(cluster: RunningRedisCluster, slots: [number, number][], old: RedisNode): Promise<RedisNode | undefined> {
  const first = slots[0]?.[0] ?? 0;
  const now = (await cluster.shards()).find((s) => inSlots(first, s.slots));
  return now && now.primary.name !== old.name ? now.primary : undefined;
}

/** kill -9 a shard's primary (`target` names a node of the shard; default the first shard). Its replica is elected in its place. */
export async function killShardPrimary(topology: Phase2Topology, target?: string): Promise<Observation> {
  const cluster = clusterOf(topology, 'kill-redis-primary');
  const { shard, primary, process } = await runningShardPrimary(cluster, 'kill-redis-primary', target);
  const probe = await sessionOnShard(topology, shard);
  const o = observation('kill-redis-primary', primary.name, process);
  process.kill('SIGKILL');
  o.downAfterMs = await exited(process, o.t0);
  await primary.stop();
  const promotedAfter = await until(async () => (await promotedFor(cluster, shard.slots, primary)) !== undefined, o.t0, 60_000);
  const readsAfter = await until(reads(topology, probe), o.t0, 60_000);
  const promoted = await promotedFor(cluster, shard.slots, primary);
  o.recoveredAfterMs = readsAfter;
  o.notes.push(
    `the cluster elected ${promoted?.name ?? 'no node'} for ${primary.name}'s slots after ${String(promotedAfter)} ms; the shard's sessions were read again after ${String(readsAfter)} ms`,
    `writes to them wait for a replica (WAIT 1): restart-redis ${primary.name} brings it back as one`,
  );
  return finish(o);
}

/**
 * Stop a cluster node (kill -9 with `kill`) and start it again on the same port with its files: it
 * rejoins as nodes.conf and the cluster say, a replaced primary as a replica of its successor.
 * Recovered: the shard it rejoined acknowledges writes again.
 */
export async function restartClusterNode(topology: Phase2Topology, name: string, options: { kill?: boolean; action?: string } = {}): Promise<Observation> {
  const action = options.action ?? 'restart-redis';
  const cluster = clusterOf(topology, action);
  const node = cluster.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no Redis node ${name}; there are ${cluster.nodes.map((n) => n.name).join(', ')}`);
  const before = node.process() ? await roleOf(node.port) : 'down';
  const o = observation(action, name, node.process());
  if (options.kill) node.process()?.kill('SIGKILL');
  await node.stop();
  o.downAfterMs = Math.round(performance.now() - o.t0);
  const started = await node.start();
  o.pid = started.pid;
  const rejoined = await until(async () => (await shardOf(cluster, action, name).catch(() => null)) !== null && (await roleOf(node.port)) !== 'down', o.t0, 60_000);
  const shard = await shardOf(cluster, action, name);
  const probe = await sessionOnShard(topology, shard);
  o.recoveredAfterMs = await until(increments(topology, probe), o.t0, 60_000);
  o.notes.push(`was ${before}; rejoined after ${String(rejoined)} ms as ${await roleOf(node.port)} in ${shard.primary.name}'s shard`);
  return finish(o);
}

/** kill -9 a shard's primary and start it again at once, well inside cluster-node-timeout: no election, and nothing it acknowledged lost (its AOF is fsynced). */
export async function fastRestartShardPrimary(topology: Phase2Topology, target?: string): Promise<Observation> {
  const shard = await shardOf(clusterOf(topology, 'fast-restart-redis-primary'), 'fast-restart-redis-primary', target);
  return restartClusterNode(topology, shard.primary.name, { kill: true, action: 'fast-restart-redis-primary' });
}

/**
 * SIGSTOP a shard's primary past cluster-node-timeout, then SIGCONT once its replica was elected
 * and `seconds` have passed: a primary that hung rather than died. It must come back a replica of
 * the node elected in its place, which then has a replica again and takes writes.
 */
export async function pauseShardPrimary(topology: Phase2Topology, seconds = 3, target?: string): Promise<Observation> {
  const cluster = clusterOf(topology, 'pause-redis-primary');
  const { shard, primary, process } = await runningShardPrimary(cluster, 'pause-redis-primary', target);
  const probe = await sessionOnShard(topology, shard);
  const o = observation('pause-redis-primary', primary.name, process);
  process.kill('SIGSTOP');
  o.downAfterMs = 0;
  const promotedAfter = await until(async () => (await promotedFor(cluster, shard.slots, primary)) !== undefined, o.t0, 60_000);
  const remaining = seconds * 1000 - (performance.now() - o.t0);
  if (remaining > 0) await sleep(remaining);
  process.kill('SIGCONT');
  const resumedAt = Math.round(performance.now() - o.t0);
  const demotedAfter = await until(async () => (await roleOf(primary.port)) === 'replica', o.t0, 60_000);
  o.recoveredAfterMs = await until(increments(topology, probe), o.t0, 60_000);
  const promoted = await promotedFor(cluster, shard.slots, primary);
  o.notes.push(`the cluster elected ${promoted?.name ?? 'no node'} after ${String(promotedAfter)} ms`, `${primary.name} resumed at ${resumedAt} ms and was a replica again after ${String(demotedAfter)} ms`);
  return finish(o);
}

/** kill -9 a replica (`target`, or the first shard's). Its shard's sessions are still read; their writes wait until restart-redis brings it back. */
export async function killShardReplica(topology: Phase2Topology, target?: string): Promise<Observation> {
  const cluster = clusterOf(topology, 'kill-redis-replica');
  const shards = await cluster.shards();
  const found = shards.flatMap((shard) => shard.replicas.flatMap((replica) => {
    const process = replica.process();
    return process && (target === undefined || replica.name === target) ? [{ shard, replica, process }] : [];
  }))[0];
  if (!found) throw new Error(`kill-redis-replica: ${target === undefined ? 'no replica is running' : `${target} is not a running replica`}`);
  const { shard, replica, process } = found;
  const probe = await sessionOnShard(topology, shard);
  const o = observation('kill-redis-replica', replica.name, process);
  process.kill('SIGKILL');
  o.downAfterMs = await exited(process, o.t0);
  await replica.stop();
  o.recoveredAfterMs = await until(reads(topology, probe), o.t0, 60_000);
  o.notes.push(`${shard.primary.name}'s sessions are read; their writes answer 503 (no replica to confirm them) until restart-redis ${replica.name}`);
  return finish(o);
}
