/**
 * Redis for high availability on one machine: a primary, two replicas of it, and three Sentinels
 * that watch the primary and promote a replica when it dies. Two replicas, because phase 2 runs
 * with WAIT 1 (a session write is acknowledged once a replica has it): after one failover a single
 * replica would have become the primary, leaving none to confirm writes, and every write would
 * answer 503 until the dead node came back. Tuned to notice a dead primary in about a
 * second (down-after-milliseconds 1000) and to need two Sentinels to agree (quorum 2 of 3), so one
 * confused Sentinel cannot trigger a failover alone.
 * https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';

export const MASTER_NAME = 'lab-primary';
export const REDIS_NODE_NAMES = ['redis-a', 'redis-b', 'redis-c'] as const;
export const SENTINEL_NAMES = ['sentinel-1', 'sentinel-2', 'sentinel-3'] as const;

/** What each Sentinel is told (compose.yaml gives its Sentinels the same). */
export function sentinelSettings(primaryHost: string, primaryPort: number): string[] {
  return [
    `sentinel monitor ${MASTER_NAME} ${primaryHost} ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 10000`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
  ];
}

export interface RedisNode {
  name: string;
  port: number;
  process(): ManagedProcess | null;
  stop(): Promise<void>;
  /** Starts it again on the same port (a restarted old primary comes back and is made a replica). */
  start(): Promise<void>;
}

export interface RunningRedisHa {
  masterName: string;
  /** `host:port,…` for REDIS_SENTINELS. */
  sentinelList: string;
  nodes: RedisNode[];
  sentinels: RedisNode[];
  /** The node that is primary now, asked of a Sentinel. */
  currentPrimary(): Promise<RedisNode | null>;
}

async function redisNode(cleanup: Cleanup, binary: string, name: string, dir: string, args: (port: number) => string[], ready: RegExp): Promise<RedisNode> {
  const port = await freePort();
  let child: ManagedProcess | null = null;
  const node: RedisNode = {
    name,
    port,
    process: () => child,
    start: async () => {
      const started = await startProcess({ name, command: binary, args: args(port), cwd: dir, readyLine: ready });
      child = started.process;
    },
    stop: async () => {
      await child?.stop();
      child = null;
    },
  };
  await node.start();
  cleanup.add(`stop ${name}`, () => node.stop());
  return node;
}

export async function startRedisHa(cleanup: Cleanup): Promise<RunningRedisHa> {
  const { 'redis-server': binary } = ensurePrograms(['redis-server']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-redis-ha-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  // repl-diskless-sync-delay 0: a replica (re)joining is synced at once, not after Redis's default
  // 5 s wait for more replicas to batch; until then WAIT could not be satisfied.
  const base = (nodeDir: string) => ['--bind', '127.0.0.1', '--protected-mode', 'no', '--dir', nodeDir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
  const dataDir = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };

  const [primaryName, ...replicaNames] = REDIS_NODE_NAMES;
  const primaryDir = dataDir(primaryName);
  const primary = await redisNode(cleanup, binary, primaryName, primaryDir, (port) => ['--port', String(port), ...base(primaryDir)], /Ready to accept connections/);
  const replicas = await Promise.all(
    replicaNames.map((name) => {
      const replicaDir = dataDir(name);
      return redisNode(
        cleanup,
        binary,
        name,
        replicaDir,
        (port) => ['--port', String(port), ...base(replicaDir), '--replicaof', '127.0.0.1', String(primary.port)],
        /MASTER <-> REPLICA sync: Finished with success/,
      );
    }),
  );

  const sentinels: RedisNode[] = [];
  for (const name of SENTINEL_NAMES) {
    const sentinelDir = dataDir(name);
    // A Sentinel rewrites its config file as it learns the topology, so each needs its own.
    const configFile = join(sentinelDir, 'sentinel.conf');
    sentinels.push(
      await redisNode(
        cleanup,
        binary,
        name,
        sentinelDir,
        (port) => {
          writeFileSync(
            configFile,
            [
              `port ${port}`,
              'bind 127.0.0.1',
              'protected-mode no',
              `dir ${sentinelDir}`,
              ...sentinelSettings('127.0.0.1', primary.port),
              '',
            ].join('\n'),
          );
          return [configFile, '--sentinel'];
        },
        /Sentinel ID is|monitor master/,
      ),
    );
  }

  const nodes = [primary, ...replicas];
  return {
    masterName: MASTER_NAME,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    nodes,
    sentinels,
    currentPrimary: async () => {
      const { Redis } = await import('ioredis');
      for (const sentinel of sentinels) {
        if (!sentinel.process()) continue;
        const client = new Redis({ port: sentinel.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500 });
        try {
          await client.connect();
          const reply = (await client.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string] | null;
          if (reply) return nodes.find((node) => node.port === Number(reply[1])) ?? null;
        } catch {
          // try the next Sentinel
        } finally {
          client.disconnect();
        }
      }
      return null;
    },
  };
}
