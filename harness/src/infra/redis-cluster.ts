/**
 * A Redis Cluster on one machine: by default three primaries, each with one replica, every node a
 * redis-server in cluster mode on its own port and directory. The cluster shards the keyspace: the
 * 16,384 hash slots are split among the primaries, and a client sends each key to the primary of
 * its slot. There are no Sentinels: the nodes watch each other over the cluster bus, and when a
 * majority of primaries agree that one is down (after cluster-node-timeout), its replica is elected
 * in its place. https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/
 *
 * The nodes keep the data settings of the Sentinel topology (NODE_DATA_SETTINGS: an fsynced
 * append-only file, no write without a replica), so a restarted node comes back with what it had
 * acknowledged, and rejoins as the cluster's own configuration (nodes.conf, kept in its directory)
 * says: a primary that was replaced while it was away comes back a replica of its successor.
 *
 * Two cluster settings differ from Redis's defaults, each for a reason:
 * - cluster-node-timeout 2000: a dead primary is replaced in a few seconds (the default, 15 s, is
 *   for networks that hiccup); shorter risks failovers for nothing on a loaded two-core machine.
 * - cluster-require-full-coverage no: while one shard has no primary, the others keep serving the
 *   sessions they hold. With the default (yes) every shard refuses until the failover ends.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askRedis } from './redis-probe.ts';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';
import { startRestartable } from './restartable.ts';
import { NODE_DATA_SETTINGS, type RedisNode } from './redis-ha.ts';

/** Settings every cluster node gets (beyond its port and directory). */
export const CLUSTER_SETTINGS = [
  '--cluster-enabled', 'yes',
  '--cluster-config-file', 'nodes.conf',
  '--cluster-node-timeout', '2000',
  '--cluster-require-full-coverage', 'no',
] as const;

/** One shard as the cluster sees it now: the primary serving its slots and the replicas copying it. */
export interface ClusterShard {
  primary: RedisNode;
  replicas: RedisNode[];
  /** Inclusive ranges of hash slots. */
  slots: [number, number][];
}

export interface RunningRedisCluster {
  nodes: RedisNode[];
  /** `host:port,…` of every node, for REDIS_CLUSTER_NODES (a client needs one that answers). */
  nodeList: string;
  /** The shards as a running node reports them (CLUSTER NODES), in slot order; nodes that are down are left out. */
  shards(): Promise<ClusterShard[]>;
  /** Resolves once every running node reports the cluster ok and every replica's link is up. */
  settled(timeoutMs?: number): Promise<void>;
}

/** A node's view of the cluster (CLUSTER NODES): every node's port, role, primary and slots. */
interface NodeLine {
  id: string;
  port: number;
  primary: boolean;
  failed: boolean;
  primaryId: string | null;
  slots: [number, number][];
}

export function parseClusterNodes(text: string): NodeLine[] {
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const [id = '', address = '', flags = '', primaryId = '-', , , , , ...slotFields] = line.split(' ');
    const port = Number(/:(\d+)@/.exec(address)?.[1]);
    const slots = slotFields.filter((field) => /^\d+(-\d+)?$/.test(field)).map((field): [number, number] => {
      const [from = '', to = from] = field.split('-');
      return [Number(from), Number(to)];
    });
    const flagList = flags.split(',');
    return { id, port, primary: flagList.includes('master'), failed: flagList.some((flag) => flag === 'fail' || flag === 'fail?'), primaryId: primaryId === '-' ? null : primaryId, slots };
  });
}

export async function startRedisCluster(cleanup: Cleanup, options: { primaries?: number; replicasPerPrimary?: number } = {}): Promise<RunningRedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicasPerPrimary = options.replicasPerPrimary ?? 1;
  const { 'redis-server': binary, 'redis-cli': cli } = ensurePrograms(['redis-server', 'redis-cli']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-redis-cluster-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  // Without replicas no write could pass min-replicas-to-write: a cluster of primaries only (the
  // store's own tests) keeps Redis's default of writing without one.
  const dataSettings = replicasPerPrimary > 0 ? NODE_DATA_SETTINGS : NODE_DATA_SETTINGS.filter((_, i, all) => all[i] !== '--min-replicas-to-write' && all[i - 1] !== '--min-replicas-to-write');

  const nodes: RedisNode[] = [];
  const count = primaries * (1 + replicasPerPrimary);
  for (let i = 1; i <= count; i += 1) {
    const name = `redis-${i}`;
    const port = await freePort();
    const nodeDir = join(dir, name);
    mkdirSync(nodeDir, { recursive: true });
    // nodes.conf, in the node's directory, is how it knows its id, its peers and its role again.
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'no', '--dir', nodeDir, ...dataSettings, ...CLUSTER_SETTINGS];
    const launch = async () => (await startProcess({ name, command: binary, args, cwd: nodeDir, readyLine: /Ready to accept connections/, timeoutMs: 60_000 })).process;
    nodes.push({ name, port, dir: nodeDir, ...(await startRestartable(cleanup, name, launch)) });
  }

  // redis-cli splits the slots evenly over the first `primaries` nodes and makes the rest replicas.
  const create = await startProcess({
    name: 'redis-cli --cluster create',
    command: cli,
    args: ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicasPerPrimary), '--cluster-yes'],
  });
  const { code } = await create.process.exit;
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (exit ${String(code)}):\n${create.process.recentOutput()}`);

  const shards = async (): Promise<ClusterShard[]> => {
    for (const node of nodes) {
      if (!node.process()) continue;
      const text = await askRedis(node.port, (redis) => redis.call('CLUSTER', 'NODES') as Promise<string>);
      if (text === null) continue;
      const lines = parseClusterNodes(text);
      const byPort = (port: number) => nodes.find((n) => n.port === port && n.process());
      return lines.filter((line) => line.primary && !line.failed && line.slots.length > 0).flatMap((line) => {
        const primary = byPort(line.port);
        if (!primary) return [];
        const replicas = lines.filter((other) => other.primaryId === line.id && !other.failed).flatMap((other) => byPort(other.port) ?? []);
        return [{ primary, replicas, slots: line.slots }];
      }).sort((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0));
    }
    return [];
  };

  const settled = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(nodes.filter((n) => n.process()).map((n) => askRedis(n.port, async (redis) => {
        const info = (await redis.call('CLUSTER', 'INFO')) as string;
        const replication = await redis.info('replication');
        return info.includes('cluster_state:ok') && (replication.includes('role:master') || replication.includes('master_link_status:up'));
      })));
      const current = await shards();
      const everyShardServed = current.length === primaries && current.every((shard) => shard.replicas.length >= Math.min(replicasPerPrimary, 1));
      if (states.every(Boolean) && everyShardServed) return;
      if (Date.now() > deadline) throw new Error(`the Redis Cluster did not settle within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await settled();

  return { nodes, nodeList: nodes.map((n) => `127.0.0.1:${n.port}`).join(','), shards, settled };
}
