/**
 * The live lab `npm run up` brings up beside the two phases: the exporters, Prometheus scraping
 * everything every second, a crowd of virtual users on each phase, and the console that shows it
 * all (served by the control server, where the fault commands arrive).
 */
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import type { Cleanup } from '../cleanup.ts';
import type { ManagedProcess } from '../processes.ts';
import { ensurePrograms } from '../infra/binaries.ts';
import type { ControlServer } from '../control.ts';
import { startExporters, startPrometheus, type RunningPrometheus } from '../infra/prometheus.ts';
import type { Phase2Topology } from '../topology.ts';
import { crowdMetrics, startCrowd, type Crowd, type CrowdOptions } from './crowd.ts';
import { LabConsole, type FaultButton } from './console.ts';

/** The virtual users as a process of their own (./crowd-process.ts), for measurements. */
export const CROWD_PROCESS_SCRIPT = fileURLToPath(new URL('./crowd-process.ts', import.meta.url));

export interface RunningLab {
  url: string;
  prometheus: RunningPrometheus;
  console: LabConsole;
  crowds: Crowd[];
}

export interface LabOptions {
  phase1Url: string;
  topology: Phase2Topology;
  control: ControlServer;
  /** The fault actions `npm run up` serves, by name: the console gets a button for each. */
  actions: string[];
  crowd?: CrowdOptions;
}

/** One button per action and target, grouped by what they break, for the actions that exist. */
export function faultButtons(actions: readonly string[], instances: readonly string[], redisNodes: readonly string[], options: { cluster?: boolean } = {}): FaultButton[] {
  const buttons: FaultButton[] = [];
  const add = (action: string, label: string, group: string, target?: string) => {
    if (actions.includes(action)) buttons.push({ action, label, group, ...(target ? { target } : {}) });
  };
  for (const id of instances) add('kill-instance', `kill instance ${id}`, 'Phase 2 instances', id);
  for (const id of instances) add('stop-instance', `stop instance ${id} (graceful)`, 'Phase 2 instances', id);
  for (const id of instances) add('restart-instance', `restart instance ${id}`, 'Phase 2 instances', id);
  for (const id of instances) add('pause-instance', `freeze instance ${id} for 5 s`, 'Phase 2 instances', id);
  add('rolling-restart', 'rolling restart of every instance', 'Phase 2 instances');
  if (redisNodes.length > 1) {
    // On a cluster, the first shard's primary: the other shards should not notice.
    const primary = options.cluster ? "the first shard's primary" : 'the Redis primary';
    add('kill-redis-primary', `kill ${primary}`, 'Redis');
    add('fast-restart-redis-primary', `restart ${primary} at once`, 'Redis');
    add('pause-redis-primary', `freeze ${primary} for 3 s`, 'Redis');
    add('pause-redis-primary-resume-mid-failover', 'freeze the primary, resume it mid-failover', 'Redis');
    add('kill-redis-replica', 'kill a Redis replica', 'Redis');
    for (const node of redisNodes) add('restart-redis', `restart ${node}`, 'Redis', node);
    add('stop-sentinels', 'stop the Sentinels', 'Redis');
    add('start-sentinels', 'start the Sentinels', 'Redis');
  }
  add('stop-postgres', 'stop PostgreSQL', 'PostgreSQL');
  add('start-postgres', 'start PostgreSQL', 'PostgreSQL');
  add('stop-postgres-replica', 'stop the PostgreSQL replica', 'PostgreSQL');
  add('start-postgres-replica', 'start the PostgreSQL replica', 'PostgreSQL');
  add('stop-pgbouncer', 'stop PgBouncer', 'PostgreSQL');
  add('start-pgbouncer', 'start PgBouncer', 'PostgreSQL');
  add('kill-phase1', 'kill phase 1', 'Phase 1');
  // The cutover (ADR 11): who answers which users, through the one public entry.
  for (const percent of ['0', '10', '50', '100']) add('cutover-share', `phase 2 answers ${percent} % of users`, 'Cutover', percent);
  return buttons;
}

export interface RunningMonitoring {
  prometheus: RunningPrometheus;
  /** Prometheus and the exporters: what the monitoring costs is what these use. */
  processes: ManagedProcess[];
  redisNodes: { name: string; port: number }[];
}

/** The exporters and Prometheus, scraping both phases, every Redis node, PostgreSQL and nginx (and `extra`). */
export async function startMonitoring(cleanup: Cleanup, options: { phase1Url: string; topology: Phase2Topology; extra?: { job: string; target: string }[] }): Promise<RunningMonitoring> {
  const { topology } = options;
  // All at once, so a machine without them installs them in one apt-get run.
  ensurePrograms(['prometheus', 'prometheus-redis-exporter', 'prometheus-postgres-exporter', 'prometheus-nginx-exporter']);
  const { redis, redisHa, redisCluster, postgres } = topology.stack;
  const nodes = redisHa?.nodes ?? redisCluster?.nodes;
  const redisNodes = nodes ? nodes.map((n) => ({ name: n.name, port: n.port })) : redis ? [{ name: 'redis', port: redis.port }] : [];
  const exporters = await startExporters(cleanup, { databaseUrl: postgres.url, nginxStatusUrl: topology.nginx.statusUrl });
  const prometheus = await startPrometheus(cleanup, {
    phase1: [{ instance: 'mock-1', address: new URL(options.phase1Url).host }],
    phase2: topology.instances.map((i) => ({ instance: i.id, address: `127.0.0.1:${i.port}` })),
    redis: redisNodes,
    redisExporter: exporters.redis,
    postgres: exporters.postgres,
    nginx: exporters.nginx,
    ...(options.extra ? { extra: options.extra } : {}),
  });
  return { prometheus, processes: [prometheus.process, ...exporters.processes], redisNodes };
}

export interface RunningCrowds {
  crowds: Crowd[];
  /** Their counts in Prometheus's format, for a /metrics. */
  registry: Registry;
}

/** The virtual users, one crowd on each phase (phase 2 through nginx), stopped by `cleanup`. */
export function startCrowds(cleanup: Cleanup, options: { phase1Url: string; phase2Url: string; crowd?: CrowdOptions }): RunningCrowds {
  const metrics = crowdMetrics();
  const crowds = [startCrowd('phase1-mock', options.phase1Url, options.crowd), startCrowd('phase2-production', options.phase2Url, options.crowd)];
  for (const crowd of crowds) metrics.track(crowd);
  cleanup.add('stop the virtual users', () => Promise.all(crowds.map((c) => c.stop())).then(() => undefined));
  return { crowds, registry: metrics.registry };
}

export async function startLab(cleanup: Cleanup, options: LabOptions): Promise<RunningLab> {
  const { topology, control } = options;
  // The crowd's counts are served by the control server, scraped as the `lab` job.
  const monitoring = await startMonitoring(cleanup, { phase1Url: options.phase1Url, topology, extra: [{ job: 'lab', target: new URL(control.url).host }] });
  const { prometheus, redisNodes } = monitoring;
  const { crowds, registry } = startCrowds(cleanup, { phase1Url: options.phase1Url, phase2Url: topology.url, ...(options.crowd ? { crowd: options.crowd } : {}) });
  const lab = new LabConsole({
    prometheusUrl: prometheus.url,
    phases: [
      { name: 'phase1-mock', job: 'phase1', title: 'Phase 1: the mockup', lesson: 'One process, sessions in its memory: when it goes, every session goes with it.', instances: ['mock-1'] },
      {
        name: 'phase2-production',
        job: 'phase2',
        title: 'Phase 2: production',
        lesson: `${topology.instances.length} instances behind nginx, sessions in ${topology.stack.redisHa ? 'Redis with replicas and Sentinels' : topology.stack.redisCluster ? 'a Redis Cluster of three shards, each with a replica' : 'one Redis'}: lose one part and users stay signed in.`,
        instances: topology.instances.map((i) => i.id),
      },
    ],
    redisNodes: redisNodes.map((n) => n.name),
    crowds,
    crowdRegistry: registry,
    buttons: faultButtons(options.actions, topology.instances.map((i) => i.id), redisNodes.map((n) => n.name), { cluster: topology.stack.redisCluster !== null }),
    links: { Prometheus: prometheus.url, 'Prometheus alerts': `${prometheus.url}/alerts`, 'Phase 1': options.phase1Url, 'Phase 2': topology.url },
  });
  control.attach(lab);
  lab.start();
  lab.record('change', 'lab started: virtual users are signing in on both phases');
  return { url: control.url, prometheus, console: lab, crowds };
}
