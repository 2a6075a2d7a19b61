/**
 * What watching costs: the lab `npm run up` runs beside the phases (Prometheus and three
 * exporters scraping everything every second, a crowd of virtual users on each phase) must not
 * slow what it watches. The same stateful read is measured on each phase with the lab off, then
 * on; the lab's own processes are charged the CPU time the kernel counted for them meanwhile.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Cleanup, freePort, startCrowds, startMonitoring, type ManagedProcess } from 'harness';
import { measure } from '../measure.ts';
import type { LabCost, LoadParameters, ThroughputRow } from '../results.ts';
import { session, type Environment } from '../environment.ts';

const OPERATION = 'stateful counter read';
/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ), 100 on every mainstream architecture. */
const USER_HZ = 100;

/** User plus system CPU seconds a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
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

export async function runLabCost(env: Environment, load: LoadParameters, progress: (label: string) => void): Promise<LabCost> {
  const targets = [env.targets.phase1, env.targets.phase2Nginx];
  const measureAll = async (label: string): Promise<ThroughputRow[]> => {
    const rows: ThroughputRow[] = [];
    for (const target of targets) {
      progress(`${OPERATION} on ${target.name}, ${label}`);
      const { cookie } = await session(target.url);
      rows.push(await measure(OPERATION, target.name, target.url, [{ method: 'GET', path: '/api/stateful/counter', template: '/api/stateful/counter', headers: { cookie } }], load, null));
    }
    return rows;
  };

  const without = await measureAll('lab off');
  const cleanup = new Cleanup();
  try {
    // As in `npm run up`: the crowd's counts are scraped too, from a /metrics of their own.
    const crowds = startCrowds(cleanup, { phase1Url: env.phase1.url, phase2Url: env.topology.url });
    const port = await freePort();
    const metrics = createServer((_req, res) => { void crowds.registry.metrics().then((text) => res.writeHead(200, { 'content-type': crowds.registry.contentType }).end(text)); });
    await new Promise<void>((resolve) => metrics.listen(port, '127.0.0.1', resolve));
    cleanup.add('stop the crowd\'s metrics', () => new Promise<void>((resolve) => { metrics.close(() => { resolve(); }); metrics.closeAllConnections(); }));
    const monitoring = await startMonitoring(cleanup, { phase1Url: env.phase1.url, topology: env.topology, extra: [{ job: 'lab', target: `127.0.0.1:${port}` }] });
    // Let every target be scraped a few times and the virtual users sign in before measuring.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const processes: ManagedProcess[] = monitoring.processes;
    const cpuBefore = processes.map((p) => cpuSeconds(p.pid));
    const requestsBefore = crowds.crowds.map((c) => c.counts().requests);
    const started = performance.now();
    const withLab = await measureAll('lab on');
    const seconds = (performance.now() - started) / 1000;
    const cpu = processes.reduce((sum, p, i) => sum + cpuSeconds(p.pid) - (cpuBefore[i] ?? 0), 0);
    const targetsUp = (await monitoring.prometheus.query('up')).length;
    return {
      operation: OPERATION,
      rows: targets.map((target, i) => {
        const off = without[i];
        const on = withLab[i];
        if (!off || !on) throw new Error(`no measurement of ${target.name}`);
        return { target: target.name, without: off, with: on, ratio: on.requestsPerSecond / off.requestsPerSecond };
      }),
      monitoring: {
        processes: processes.map((p) => p.name),
        scrapeTargets: targetsUp,
        scrapeIntervalSeconds: 1,
        cpuPercentOfOneCore: (cpu / seconds) * 100,
        rssBytes: processes.reduce((sum, p) => sum + rssBytes(p.pid), 0),
      },
      crowd: crowds.crowds.map((c, i) => ({ phase: c.phase, requestsPerSecond: (c.counts().requests - (requestsBefore[i] ?? 0)) / seconds, users: Object.values(c.counts().stateful).reduce((a, b) => a + b, 0) + Object.values(c.counts().stateless).reduce((a, b) => a + b, 0) })),
    };
  } finally {
    await cleanup.run();
  }
}
