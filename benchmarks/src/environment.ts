/**
 * Everything a run measures, started once: the three baselines, phase 1, and phase 2's
 * production topology (nginx over instances, Redis behind Sentinel with WAIT, PostgreSQL). All on
 * this machine, sharing its cores with the load generator; the report says so.
 */
import { fileURLToPath } from 'node:url';
import { Cleanup, ensurePrograms, startPhase1, startPhase2Topology, startProcess, startSession, type Phase2Topology, type RunningPhase } from 'harness';

export interface Target {
  name: string;
  url: string;
  /** What it is, in the report's words. */
  kind: 'baseline' | 'phase';
}

export interface Environment {
  cleanup: Cleanup;
  baselines: Target[];
  phase1: RunningPhase;
  topology: Phase2Topology;
  targets: { phase1: Target; phase2Direct: Target; phase2Nginx: Target };
  programs: { redis: string; postgres: string; nginx: string };
}

/** Settings for measuring: no rate limit (all load comes from one address), quieter logs. */
export const BENCH_ENV = { AUTH_RATE_LIMIT_MAX: '0', LOG_LEVEL: 'warn' };

async function startBaseline(cleanup: Cleanup, name: string, file: string): Promise<Target> {
  const { process: child, match } = await startProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', fileURLToPath(new URL(`./targets/${file}`, import.meta.url))],
    readyLine: /listening on (http:\/\/[\d.]+:\d+)/,
  });
  cleanup.add(`stop ${name}`, () => child.stop());
  return { name, url: match?.[1] ?? '', kind: 'baseline' };
}

export async function startEnvironment(options: { instances: number }): Promise<Environment> {
  const cleanup = new Cleanup();
  const found = ensurePrograms(['redis-server', 'postgres', 'initdb', 'nginx']);
  try {
    const baselines = [
      await startBaseline(cleanup, 'baseline-node-http', 'node-http.ts'),
      await startBaseline(cleanup, 'baseline-express', 'express.ts'),
      await startBaseline(cleanup, 'baseline-fastify', 'fastify.ts'),
    ];
    const phase1 = await startPhase1(cleanup, BENCH_ENV);
    const topology = await startPhase2Topology(cleanup, { instances: options.instances, env: BENCH_ENV });
    const direct = topology.instances[0];
    if (!direct) throw new Error('no phase 2 instance');
    return {
      cleanup,
      baselines,
      phase1,
      topology,
      targets: {
        phase1: { name: 'phase1-mock', url: phase1.url, kind: 'phase' },
        phase2Direct: { name: 'phase2 direct', url: direct.url, kind: 'phase' },
        phase2Nginx: { name: 'phase2 via nginx', url: topology.url, kind: 'phase' },
      },
      programs: { redis: found['redis-server'], postgres: found.postgres, nginx: found.nginx },
    };
  } catch (error) {
    await cleanup.run();
    throw error;
  }
}

/**
 * A session on that target: its cookie and CSRF token. A 503 (the store still settling after a
 * fault: a replica resyncing, a failover finishing) is waited out, up to `waitMs`.
 */
export async function session(url: string, waitMs = 60_000): Promise<{ cookie: string; csrf: string }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { client, status } = await startSession(url);
    if (client) return client;
    if (status !== 503 || Date.now() > deadline) throw new Error(`${url}: could not start a session (HTTP ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
