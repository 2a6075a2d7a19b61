/**
 * What a fault refuses before it touches anything: a target that does not exist, a topology that
 * cannot take it, Sentinels that name no primary. The faults themselves run against real processes
 * in ha.test.ts and up.test.ts; here the topology is a description with nothing running, so a fault
 * that went ahead instead of refusing would fail on the missing process, with another message.
 */
import { describe, expect, it } from 'vitest';
import * as faults from '../src/faults.ts';
import * as clusterFaults from '../src/cluster-faults.ts';
import type { ClusterShard, RunningRedisCluster } from '../src/infra/redis-cluster.ts';
import type { Phase2Topology } from '../src/topology.ts';
import type { RedisNode, RunningRedisHa } from '../src/infra/redis-ha.ts';

const node = (name: string, running: boolean): RedisNode => ({
  name,
  port: 1,
  dir: '/nonexistent',
  process: () => (running ? ({ pid: 4_000_000 } as ReturnType<RedisNode['process']>) : null),
  stop: () => Promise.reject(new Error(`${name} was asked to stop`)),
  start: () => Promise.reject(new Error(`${name} was asked to start`)),
});

function topology(redisHa: RunningRedisHa | null, redisCluster: RunningRedisCluster | null = null): Phase2Topology {
  return {
    url: 'http://127.0.0.1:1',
    nginx: {} as Phase2Topology['nginx'],
    instances: [{ id: 'api-1', port: 1, url: 'http://127.0.0.1:1', process: null }],
    stack: { redis: null, redisHa, redisCluster, postgresReplica: null, pgbouncer: null, postgres: {} as Phase2Topology['stack']['postgres'], env: { DATABASE_URL: '', JWT_SECRET: '', MAINTENANCE_FILE: '' }, workDir: '/nonexistent', storeDescription: 'a description' },
    startInstance: () => Promise.reject(new Error('an instance was asked to start')),
  };
}

function sentinels(primary: RedisNode | undefined, nodes: RedisNode[]): RunningRedisHa {
  return { masterName: 'lab', sentinelList: '', nodes, sentinels: [], currentPrimary: () => Promise.resolve(primary), primaryNamedBy: () => Promise.resolve(primary) };
}

describe('a Redis failover\'s report of the instances', () => {
  const lastLogged = (line: string) => () => line;

  it('is the time the last of them wrote again, when every one did', () => {
    const { recoveredAfterMs, notes } = faults.instancesWritingAgain([{ id: 'api-1', ms: 2400, lastLogged: lastLogged('a') }, { id: 'api-2', ms: 3100, lastLogged: lastLogged('b') }]);
    expect(recoveredAfterMs).toBe(3100);
    expect(notes).toEqual(['every instance writing again: api-1 2400 ms, api-2 3100 ms']);
  });

  it('is no time at all when one never did, and says what that one last logged', () => {
    const { recoveredAfterMs, notes } = faults.instancesWritingAgain([
      { id: 'api-1', ms: null, lastLogged: lastLogged('{"msg":"READONLY You can\'t write against a read only replica"}') },
      { id: 'api-2', ms: 3100, lastLogged: lastLogged('never read') },
    ]);
    expect(recoveredAfterMs).toBeNull();
    expect(notes).toEqual([
      'every instance writing again: api-1 never, api-2 3100 ms',
      'api-1 never wrote again; it last logged: {"msg":"READONLY You can\'t write against a read only replica"}',
    ]);
  });
});

describe('faults refuse what they cannot do, saying why', () => {
  it('an instance that does not exist: the ones that do are named', async () => {
    const single = topology(null);
    for (const fault of [faults.killInstance, faults.stopInstance, faults.restartInstance]) {
      await expect(fault(single, 'api-9')).rejects.toThrow('no instance api-9; there are api-1');
    }
    await expect(faults.pauseInstance(single, 'api-9', 1)).rejects.toThrow('no instance api-9; there are api-1');
  });

  it('a Redis fault on the single-Redis topology: it needs the Sentinels', async () => {
    const single = topology(null);
    await expect(faults.killRedisPrimary(single)).rejects.toThrow('kill-redis-primary needs the Sentinel topology (not --single-redis or --redis cluster)');
    await expect(faults.pauseRedisPrimary(single)).rejects.toThrow('pause-redis-primary needs the Sentinel topology');
    await expect(faults.killRedisReplica(single)).rejects.toThrow('kill-redis-replica needs the Sentinel topology');
    await expect(faults.stopSentinels(single)).rejects.toThrow('stop-sentinels needs the Sentinel topology');
    await expect(faults.startSentinels(single)).rejects.toThrow('start-sentinels needs the Sentinel topology');
    await expect(faults.fastRestartRedisPrimary(single)).rejects.toThrow('fast-restart-redis-primary needs the Sentinel topology');
    await expect(faults.restartRedisPrimary(single)).rejects.toThrow('restart-redis-primary needs the Sentinel topology');
    await expect(faults.restartRedisNode(single, 'redis-a')).rejects.toThrow('no Redis node redis-a; there are none (--single-redis)');
    // The replica's and PgBouncer's faults need them.
    for (const fault of [faults.stopPostgresReplica, faults.startPostgresReplica, faults.stopPgBouncer, faults.startPgBouncer]) {
      await expect(fault(single)).rejects.toThrow('needs PostgreSQL with its replica and PgBouncer (--postgres replica)');
    }
  });

  it('an instance that is not running: killing, stopping or pausing it would do nothing, so it is refused', async () => {
    const single = topology(null);
    for (const [name, fault] of [['kill-instance', faults.killInstance], ['stop-instance', faults.stopInstance]] as const) {
      await expect(fault(single, 'api-1')).rejects.toThrow(`${name}: api-1 is not running (restart-instance api-1 starts it)`);
    }
    await expect(faults.pauseInstance(single, 'api-1', 1)).rejects.toThrow('pause-instance: api-1 is not running');
    const phase1 = { name: 'phase1-mock' as const, url: 'http://127.0.0.1:1', maintenanceFile: '', processes: [], stop: () => Promise.resolve(), restart: () => Promise.reject(new Error('phase 1 was asked to restart')) };
    await expect(faults.killPhase1(phase1)).rejects.toThrow('kill-phase1: phase 1 is not running');
  });

  it('a primary the Sentinels still name after it went down: nothing to kill or pause until they fail over', async () => {
    const a = node('redis-a', false);
    const stale = topology(sentinels(a, [a, node('redis-b', true)]));
    await expect(faults.killRedisPrimary(stale)).rejects.toThrow('kill-redis-primary: the Sentinels name redis-a as primary, and it is not running');
    await expect(faults.pauseRedisPrimary(stale)).rejects.toThrow('pause-redis-primary: the Sentinels name redis-a as primary, and it is not running');
  });

  it('start-sentinels with none stopped says who the Sentinels name, or that they name nobody', async () => {
    const leaderless = await faults.startSentinels(topology(sentinels(undefined, [node('redis-a', true)])));
    expect(leaderless.notes).toEqual(['the Sentinels name no node (no Sentinel names a primary) as primary']);
    const a = node('redis-a', true);
    const led = await faults.startSentinels(topology(sentinels(a, [a])));
    expect(led.notes).toEqual(['the Sentinels name redis-a as primary']);
  });

  it('Sentinels that name no primary: nothing to kill or pause', async () => {
    const leaderless = topology(sentinels(undefined, [node('redis-a', true), node('redis-b', true)]));
    await expect(faults.killRedisPrimary(leaderless)).rejects.toThrow('the Sentinels name no primary');
    await expect(faults.pauseRedisPrimary(leaderless)).rejects.toThrow('the Sentinels name no primary');
    await expect(faults.fastRestartRedisPrimary(leaderless)).rejects.toThrow('fast-restart-redis-primary: the Sentinels name no primary');
    await expect(faults.restartRedisPrimary(leaderless)).rejects.toThrow('restart-redis-primary: the Sentinels name no primary');
  });

  it('a replica to kill that is the primary, is down, or does not exist', async () => {
    const a = node('redis-a', true);
    const ha = topology(sentinels(a, [a, node('redis-b', false), node('redis-c', true)]));
    await expect(faults.killRedisReplica(ha, 'redis-a')).rejects.toThrow('redis-a is not a running replica');
    await expect(faults.killRedisReplica(ha, 'redis-b')).rejects.toThrow('redis-b is not a running replica');
    await expect(faults.restartRedisNode(ha, 'redis-z')).rejects.toThrow('no Redis node redis-z; there are redis-a, redis-b, redis-c');
    const onlyPrimary = topology(sentinels(a, [a, node('redis-b', false)]));
    await expect(faults.killRedisReplica(onlyPrimary)).rejects.toThrow('no running replica');
  });
});

/** A cluster as a description: these shards reported, nothing running unless said. */
function cluster(shards: ClusterShard[], nodes: RedisNode[]): RunningRedisCluster {
  return { nodes, nodeList: '', shards: () => Promise.resolve(shards), settled: () => Promise.resolve() };
}

describe('the cluster\'s faults refuse what they cannot do, saying why', () => {
  const one = node('redis-1', false);
  const two = node('redis-2', true);
  const shard: ClusterShard = { primary: one, replicas: [two], slots: [[0, 16383]] };

  it('on a topology without a cluster', async () => {
    await expect(clusterFaults.killShardPrimary(topology(null))).rejects.toThrow('kill-redis-primary on a cluster needs the Redis Cluster topology (--redis cluster)');
    await expect(clusterFaults.restartClusterNode(topology(null), 'redis-1')).rejects.toThrow('restart-redis on a cluster needs the Redis Cluster topology');
  });

  it('a node that serves no shard, a cluster that reports none, a node that does not exist', async () => {
    const reported = topology(null, cluster([shard], [one, two]));
    await expect(clusterFaults.pauseShardPrimary(reported, 1, 'redis-9')).rejects.toThrow('pause-redis-primary: redis-9 serves no shard now; the nodes are redis-1, redis-2');
    await expect(clusterFaults.killShardPrimary(topology(null, cluster([], [one])))).rejects.toThrow('kill-redis-primary: the cluster reports no shard');
    await expect(clusterFaults.restartClusterNode(reported, 'redis-9')).rejects.toThrow('no Redis node redis-9; there are redis-1, redis-2');
  });

  it('a primary that is not running, or no running replica: nothing to kill or pause', async () => {
    const reported = topology(null, cluster([shard], [one, two]));
    await expect(clusterFaults.killShardPrimary(reported)).rejects.toThrow('kill-redis-primary: redis-1 is not running');
    await expect(clusterFaults.pauseShardPrimary(reported)).rejects.toThrow('pause-redis-primary: redis-1 is not running');
    await expect(clusterFaults.killShardReplica(reported, 'redis-1')).rejects.toThrow('kill-redis-replica: redis-1 is not a running replica');
    const noReplica = topology(null, cluster([{ ...shard, replicas: [node('redis-3', false)] }], [one]));
    await expect(clusterFaults.killShardReplica(noReplica)).rejects.toThrow('kill-redis-replica: no replica is running');
  });
});
