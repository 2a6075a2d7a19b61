/**
 * `npm run up [-- --instances N] [-- --redis sentinel|single|cluster] [-- --postgres single|replica] [-- --single-redis] [-- --no-lab] [-- --logs]`:
 * phase 1, and phase 2's production topology (nginx over N instances, Redis behind Sentinel, or one
 * Redis, or a Redis Cluster of three shards; PostgreSQL, alone or with a streaming replica for the
 * catalog and PgBouncer in front of the primary), left running
 * with their URLs printed, and the live lab beside them: Prometheus scraping everything every
 * second, virtual users on both phases, and the console at the `lab:` URL. The console's buttons
 * and `npm run fault -- <action>` break them on purpose; Ctrl-C stops all.
 *
 * Phase 1 also stands behind phase 2's nginx, ready for the cutover (harness/src/cutover.ts) with
 * every user on phase 2: `cutover-share <percent>` sends a share of them back to phase 1, and their
 * sessions follow them.
 */
import { parseCommandLine, usageError } from './command-line.ts';
import { Cleanup } from '../cleanup.ts';
import type { RunningPhase } from '../phases.ts';
import { startCutoverStage } from '../cutover.ts';
import { serveControl, type FaultHandler } from '../control.ts';
import * as faults from '../faults.ts';
import * as clusterFaults from '../cluster-faults.ts';
import { startLab } from '../lab/lab.ts';
import { describeError } from '../errors.ts';
import { POSTGRES_MODES, REDIS_MODES, type PostgresMode, type RedisMode } from '../phase2.ts';

const isRedisMode = (value: string | undefined): value is RedisMode => REDIS_MODES.includes(value as RedisMode);
const isPostgresMode = (value: string | undefined): value is PostgresMode => POSTGRES_MODES.includes(value as PostgresMode);

const USAGE = 'usage: npm run up -- [--instances N] [--redis sentinel|single|cluster] [--postgres single|replica] [--single-redis] [--no-lab] [--logs]';
const { values } = parseCommandLine('up', USAGE, {
  // --no-lab, as well as --lab.
  allowNegative: true,
  options: {
    lab: { type: 'boolean', default: true },
    instances: { type: 'string', default: '3' },
    redis: { type: 'string', default: 'sentinel' },
    postgres: { type: 'string', default: 'single' },
    'single-redis': { type: 'boolean', default: false },
    logs: { type: 'boolean', default: false },
  },
});
const instances = Number(values.instances);
const redisMode = values['single-redis'] ? 'single' : values.redis;
if (!isRedisMode(redisMode)) {
  usageError('up', `--redis is one of ${REDIS_MODES.join(', ')}, not ${redisMode}`, USAGE);
}
const postgresMode = values.postgres;
if (!isPostgresMode(postgresMode)) {
  usageError('up', `--postgres is one of ${POSTGRES_MODES.join(', ')}, not ${postgresMode}`, USAGE);
}
if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
  usageError('up', '--instances takes a whole number from 1 to 16', USAGE);
}

const cleanup = new Cleanup();
Cleanup.stopEverythingOnExit();
try {
  // --logs: phase 1 prints a line per request, phase 2 its JSON log lines; both are copied here.
  const stage = await startCutoverStage(cleanup, {
    instances,
    redis: redisMode,
    postgres: postgresMode,
    echo: values.logs,
    phase2Percent: 100,
    phase1Env: values.logs ? { LOG_REQUESTS: 'true' } : {},
    phase2Env: values.logs ? { LOG_LEVEL: 'info' } : {},
  });
  const { topology } = stage;
  let phase1: RunningPhase = stage.phase1;
  console.log(`phase1: ${phase1.url}`);
  console.log(`phase2: ${topology.url}`);
  console.log(`        TLS by the lab's CA: curl --cacert ${topology.nginx.caFile} ${topology.url}/api/stateless/info`);
  console.log(`        ${topology.nginx.httpUrl} redirects there (308)`);
  console.log(`        nginx over ${topology.instances.map((i) => `${i.id} ${i.url}`).join(', ')}`);
  console.log(`        ${topology.stack.storeDescription}`);
  console.log(`        postgres ${topology.stack.postgres.url}`);
  const { postgresReplica, pgbouncer } = topology.stack;
  if (postgresReplica && pgbouncer) console.log(`        postgres streaming replica ${postgresReplica.url} (the catalog's reads), pgbouncer ${pgbouncer.url} (transaction mode, in front of the primary)`);

  const need = (target: string | undefined, what: string): string => {
    if (!target) throw new Error(`this action needs a ${what}`);
    return target;
  };
  const actions: Record<string, FaultHandler> = {
    'kill-instance': (target) => faults.killInstance(topology, need(target, 'phase 2 instance id (api-1, …)')),
    'stop-instance': (target) => faults.stopInstance(topology, need(target, 'phase 2 instance id')),
    'restart-instance': (target) => faults.restartInstance(topology, need(target, 'phase 2 instance id')),
    'rolling-restart': () => faults.rollingRestart(topology),
    'pause-instance': (target, seconds) => faults.pauseInstance(topology, need(target, 'phase 2 instance id'), seconds ?? 5),
    ...(redisMode === 'cluster'
      ? {
        // On a cluster each acts on one shard: the one `target` (a node's name) is in, or the first.
        'kill-redis-primary': (target) => clusterFaults.killShardPrimary(topology, target),
        'restart-redis': (target) => clusterFaults.restartClusterNode(topology, need(target, 'Redis node name (redis-1, …)')),
        'fast-restart-redis-primary': (target) => clusterFaults.fastRestartShardPrimary(topology, target),
        'pause-redis-primary': (target, seconds) => clusterFaults.pauseShardPrimary(topology, seconds ?? 3, target),
        'kill-redis-replica': (target) => clusterFaults.killShardReplica(topology, target),
      } satisfies Record<string, FaultHandler>
      : {
        'kill-redis-primary': () => faults.killRedisPrimary(topology),
        'restart-redis': (target) => faults.restartRedisNode(topology, need(target, 'Redis node name (redis-a, …)')),
        'fast-restart-redis-primary': () => faults.fastRestartRedisPrimary(topology),
        'pause-redis-primary': (_target, seconds) => faults.pauseRedisPrimary(topology, seconds ?? 3),
        'pause-redis-primary-resume-mid-failover': () => faults.pauseRedisPrimary(topology, 0, 'at-promotion'),
        'kill-redis-replica': (target) => faults.killRedisReplica(topology, target),
        'stop-sentinels': () => faults.stopSentinels(topology),
        'start-sentinels': () => faults.startSentinels(topology),
      } satisfies Record<string, FaultHandler>),
    'stop-postgres': () => faults.stopPostgres(topology),
    'start-postgres': () => faults.startPostgres(topology),
    ...(postgresMode === 'replica'
      ? {
        'stop-postgres-replica': () => faults.stopPostgresReplica(topology),
        'start-postgres-replica': () => faults.startPostgresReplica(topology),
        'stop-pgbouncer': () => faults.stopPgBouncer(topology),
        'start-pgbouncer': () => faults.startPgBouncer(topology),
      } satisfies Record<string, FaultHandler>
      : {}),
    'cutover-share': (target) => faults.setCutoverShare(stage, need(target, "phase 2's share of users, in percent (0 to 100)")),
    'kill-phase1': async () => {
      const observation = await faults.killPhase1(phase1);
      phase1 = observation.restarted;
      return observation.observation;
    },
  };
  const control = await serveControl(cleanup, { phase1: phase1.url, phase2: topology.url, instances: topology.instances.map((i) => i.id) }, actions);
  if (values.lab) {
    const lab = await startLab(cleanup, { phase1Url: phase1.url, topology, control, actions: Object.keys(actions) });
    console.log(`prometheus: ${lab.prometheus.url} (every phase 2 instance, phase 1, Redis, PostgreSQL and nginx, every second)`);
    console.log(`lab: ${lab.url}  (open it in a browser: both phases live, virtual users, a button for each fault)`);
  } else {
    // The topology alone, for a small machine: no Prometheus, exporters, virtual users or console.
    console.log('lab: off (--no-lab): no monitoring, no virtual users, no console; npm run fault still breaks things');
  }
  console.log(`Break it: npm run fault -- <${Object.keys(actions).join('|')}> [target]`);
  console.log('Press Ctrl-C to stop.');
  await new Promise(() => { /* until a signal arrives */ });
} catch (error) {
  console.error(`up: ${describeError(error)}`);
  await cleanup.run();
  process.exit(1);
}
