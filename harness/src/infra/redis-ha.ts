/**
 * Redis for high availability on one machine: a primary, two replicas of it, and three Sentinels
 * that watch the primary and promote a replica when it dies. Two replicas, because phase 2 runs
 * with WAIT 1 (a session write is acknowledged once a replica has it): after one failover a single
 * replica would have become the primary, leaving none to confirm writes, and every write would
 * answer 503 until the dead node came back. Tuned to notice a dead primary in about a
 * second (down-after-milliseconds 1000) and to need two Sentinels to agree (quorum 2 of 3), so one
 * confused Sentinel cannot trigger a failover alone.
 * https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/
 *
 * Two rules keep a restart from losing data (docs/decisions/0009-redis-persistence-and-roles.md):
 * - every node keeps an append-only file in its own directory, kept for the whole run, so a node
 *   that restarts comes back with what it had, never empty. A primary without persistence that
 *   restarts faster than the Sentinels notice comes back empty and its replicas resync to empty
 *   (https://redis.io/docs/latest/operate/oss_and_stack/management/replication/#safety-of-replication-when-master-has-persistence-turned-off).
 * - a node's role comes from the Sentinels, never from how it was first started: on every start
 *   it asks them who the primary is and joins that node as a replica, and it starts as primary
 *   only when it is the one they name or none of them knows one (the very first start).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askRedis } from './redis-probe.ts';
import { sleep } from '../observation.ts';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';
import { startRestartable } from './restartable.ts';
import { phase2Dir } from '../paths.ts';

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

/**
 * The data settings of every node (compose.yaml gives its nodes the same, checked by a test).
 * - appendonly + appendfsync always: the AOF is fsynced before the replies of each event-loop
 *   iteration go out (one fsync per batch of writes, a group commit), so a node that restarts,
 *   however it died, has every write it acknowledged. `everysec` is not enough: while an fsync is
 *   slow, Redis postpones writing the AOF for up to 2 s and still replies, and a primary that
 *   restarts fast then comes back behind its replicas, which resync down to it (the benchmark's
 *   fast primary restart measured it). RDB snapshots stay off: the AOF's own RDB preamble is what
 *   makes a restart load fast.
 * - min-replicas-to-write 1: a primary that cannot see a replica refuses writes (NOREPLICAS,
 *   which phase 2 answers with 503) instead of taking writes that a failover would discard.
 * - repl-diskless-sync-delay 0: a replica (re)joining is synced at once, not after Redis's default
 *   5 s wait for more replicas to batch; until then WAIT could not be satisfied.
 */
export const NODE_DATA_SETTINGS = [
  '--appendonly', 'yes',
  '--appendfsync', 'always',
  '--save', '',
  '--min-replicas-to-write', '1',
  '--min-replicas-max-lag', '10',
  '--repl-diskless-sync-delay', '0',
] as const;

export interface RedisNode {
  name: string;
  port: number;
  /** The node's own directory: its append-only file, kept across its restarts. */
  dir: string;
  process(): ManagedProcess | null;
  stop(): Promise<void>;
  /** Starts it again on the same port, as a replica of whichever node the Sentinels name; the process started. */
  start(): Promise<ManagedProcess>;
}

export interface RunningRedisHa {
  masterName: string;
  /** `host:port,…` for REDIS_SENTINELS. */
  sentinelList: string;
  nodes: RedisNode[];
  sentinels: RedisNode[];
  /** The node that is primary now, asked of a Sentinel. */
  currentPrimary(): Promise<RedisNode | undefined>;
  /** The node this one Sentinel names as primary (during a failover the Sentinels can differ). */
  primaryNamedBy(sentinel: RedisNode): Promise<RedisNode | undefined>;
}

/** The primary's port as the first Sentinel that answers names it; null when none knows one. */
async function primaryPortFromSentinels(sentinels: readonly RedisNode[]): Promise<number | null> {
  for (const sentinel of sentinels) {
    if (!sentinel.process()) continue;
    // A Sentinel that is unreachable answers null: the next one is asked.
    const reply = await askRedis(sentinel.port, (redis) => redis.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME) as Promise<[string, string] | null>, { timeoutMs: 500 });
    if (reply) return Number(reply[1]);
  }
  return null;
}

/**
 * Polls the node until its link to the primary is up: a replica that has the data can confirm a
 * WAIT. Each poll asks on a connection of its own: the Sentinels, reconfiguring a node that has
 * just come back, close every client's connection to it.
 */
async function waitForSync(name: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await askRedis(port, (redis) => redis.info('replication'));
    if (info !== null && /master_link_status:up/.test(info)) return;
    await sleep(100);
  }
  throw new Error(`${name} did not finish syncing from its primary within ${timeoutMs} ms`);
}

/** The script compose.yaml runs in each Redis container; the harness runs the same file. */
export const REDIS_NODE_SCRIPT = join(phase2Dir, 'deployment', 'redis-node.sh');

/** A Redis process on a fixed port, which the faults stop and start again. */
async function restartable(cleanup: Cleanup, name: string, port: number, dir: string, launch: () => Promise<ManagedProcess>): Promise<RedisNode> {
  return { name, port, dir, ...(await startRestartable(cleanup, name, launch)) };
}

async function startNode(cleanup: Cleanup, name: string, dir: string, sentinels: readonly RedisNode[], initialPrimaryPort: (ownPort: number) => number): Promise<RedisNode> {
  const port = await freePort();
  return restartable(cleanup, name, port, dir, async () => {
    const env = {
      ...process.env,
      REDIS_SENTINELS: sentinels.filter((s) => s.process()).map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_MASTER_NAME: MASTER_NAME,
      NODE_HOST: '127.0.0.1',
      NODE_PORT: String(port),
      INITIAL_PRIMARY: `127.0.0.1:${initialPrimaryPort(port)}`,
    };
    const args = [REDIS_NODE_SCRIPT, '--bind', '127.0.0.1', '--protected-mode', 'no', '--dir', dir, ...NODE_DATA_SETTINGS];
    // The script execs redis-server, so the pid the harness keeps is Redis's own.
    const { process: child } = await startProcess({ name, command: 'sh', args, cwd: dir, env, readyLine: /Ready to accept connections/, timeoutMs: 60_000 });
    // Not handed over yet, so no cleanup knows it: a node that never syncs is stopped here.
    if (/starts as replica/.test(child.recentOutput())) await waitForSync(name, port, 60_000).catch(async (error: unknown) => { await child.stop(); throw error; });
    return child;
  });
}

async function startSentinel(cleanup: Cleanup, binary: string, name: string, dir: string, primaryPort: number): Promise<RedisNode> {
  const port = await freePort();
  // A Sentinel rewrites its config file as it learns the topology, so each needs its own, and a
  // restarted Sentinel reads back what it had learnt rather than the first primary.
  const configFile = join(dir, 'sentinel.conf');
  writeFileSync(configFile, [`port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${dir}`, ...sentinelSettings('127.0.0.1', primaryPort), ''].join('\n'));
  return restartable(cleanup, name, port, dir, async () => (await startProcess({ name, command: binary, args: [configFile, '--sentinel'], cwd: dir, readyLine: /Sentinel ID is|monitor master/ })).process);
}

export async function startRedisHa(cleanup: Cleanup): Promise<RunningRedisHa> {
  // The node script asks the Sentinels with redis-cli.
  const { 'redis-server': binary } = ensurePrograms(['redis-server', 'redis-cli']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-redis-ha-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  const dataDir = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };

  // Sentinels start after the nodes (they need a primary to monitor), so the very first start
  // takes its roles from the list order: the first node is the primary.
  const sentinels: RedisNode[] = [];
  const nodes: RedisNode[] = [];
  let firstPort = 0;
  for (const name of REDIS_NODE_NAMES) {
    const node = await startNode(cleanup, name, dataDir(name), sentinels, (ownPort) => firstPort || ownPort);
    nodes.push(node);
    if (firstPort === 0) firstPort = node.port;
  }
  const initialPrimary = nodes[0];
  if (!initialPrimary) throw new Error('no Redis node started');
  for (const name of SENTINEL_NAMES) sentinels.push(await startSentinel(cleanup, binary, name, dataDir(name), initialPrimary.port));

  return {
    masterName: MASTER_NAME,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    nodes,
    sentinels,
    currentPrimary: async () => {
      const port = await primaryPortFromSentinels(sentinels);
      return nodes.find((node) => node.port === port);
    },
    primaryNamedBy: async (sentinel) => {
      const port = await primaryPortFromSentinels([sentinel]);
      return nodes.find((node) => node.port === port);
    },
  };
}
