/**
 * What watching costs: the lab `npm run up` runs beside the phases must not slow what it watches,
 * or say by how much it does. The same stateful read is measured on each phase three times: with
 * the lab off; with the monitoring on (Prometheus and three exporters scraping everything every
 * second); and with the virtual users too, in a process of their own as in `npm run up` (not in the
 * load generator's). Each stage's processes are charged the CPU time the kernel counted for them.
 */
import { readFileSync } from 'node:fs';
import { CROWD_PROCESS_SCRIPT, Cleanup, freePort, startMonitoring, startProcess, type ManagedProcess } from 'harness';
import { measure } from '../measure.ts';
import type { LabCost, LabCostStage, LoadParameters, ThroughputRow } from '../results.ts';
import { session, type Environment } from '../environment.ts';

const OPERATION = 'stateful counter read';
/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ), 100 on every mainstream architecture. */
const USER_HZ = 100;

/** User plus system CPU seconds a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Resident memory of a process, from /proc/<pid>/status. */
function rssBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib ?? 0) * 1024;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runLabCost(env: Environment, load: LoadParameters, progress: (label: string) => void): Promise<LabCost> {
  const targets = [env.targets.phase1, env.targets.phase2Nginx];
  /** Measures every target, charging `charged` the CPU they use meanwhile. */
  const stage = async (name: LabCostStage['name'], charged: ManagedProcess[]): Promise<LabCostStage> => {
    const rows: ThroughputRow[] = [];
    const before = charged.map((p) => ({ p, cpuSeconds: cpuSeconds(p.pid) }));
    const started = performance.now();
    for (const target of targets) {
      progress(`${OPERATION} on ${target.name}, ${name}`);
      const { cookie } = await session(target.url);
      rows.push(await measure(OPERATION, target.name, target.url, [{ method: 'GET', path: '/api/stateful/counter', template: '/api/stateful/counter', headers: { cookie } }], load, null));
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      name,
      rows,
      processes: before.map(({ p, cpuSeconds: then }) => ({ name: p.name, cpuPercentOfOneCore: ((cpuSeconds(p.pid) - then) / seconds) * 100, rssBytes: rssBytes(p.pid) })),
    };
  };

  // Long enough for every target to be scraped a few times and the virtual users to sign in and
  // reach their pace: 3 s for the smoke profile's 1-second rounds, 5 s from 3-second rounds on.
  const settleMs = Math.min(5000, 2000 + load.roundSeconds * 1000);
  const off = await stage('lab off', []);
  const cleanup = new Cleanup();
  try {
    // The crowd's metrics address is scraped from the start; it answers once the crowd runs.
    const crowdPort = await freePort();
    const monitoring = await startMonitoring(cleanup, { phase1Url: env.phase1.url, topology: env.topology, extra: [{ job: 'lab', target: `127.0.0.1:${crowdPort}` }] });
    await settle(settleMs);
    const monitored = await stage('monitoring', monitoring.processes);
    const { process: crowd } = await startProcess({
      name: 'virtual-users',
      command: process.execPath,
      args: ['--import', 'tsx', CROWD_PROCESS_SCRIPT, env.phase1.url, env.topology.url, String(crowdPort), env.topology.nginx.caFile],
      readyLine: /crowd metrics on/,
    });
    cleanup.add('stop the virtual users', () => crowd.stop());
    await settle(settleMs);
    const countsBefore = await crowdRequests(crowdPort);
    const started = performance.now();
    const full = await stage('monitoring and virtual users', [...monitoring.processes, crowd]);
    const seconds = (performance.now() - started) / 1000;
    const countsAfter = await crowdRequests(crowdPort);
    return {
      operation: OPERATION,
      scrapeTargets: (await monitoring.prometheus.query('up')).length,
      scrapeIntervalSeconds: 1,
      stages: [off, monitored, full],
      crowd: countsAfter.map((c) => ({ phase: c.phase, users: c.users, requestsPerSecond: (c.requests - (countsBefore.find((b) => b.phase === c.phase)?.requests ?? 0)) / seconds })),
    };
  } finally {
    await cleanup.run();
  }
}

async function crowdRequests(port: number): Promise<{ phase: string; users: number; requests: number }[]> {
  const counts = (await (await fetch(`http://127.0.0.1:${port}/counts`)).json()) as { phase: string; requests: number; stateful: Record<string, number>; stateless: Record<string, number> }[];
  const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
  return counts.map((c) => ({ phase: c.phase, users: sum(c.stateful) + sum(c.stateless), requests: c.requests }));
}
