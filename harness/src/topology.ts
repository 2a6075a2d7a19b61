/**
 * Phase 2's production topology on one machine: nginx in front of N instances (default 3), Redis
 * behind Sentinel (or one Redis for small runs), PostgreSQL. Instances keep their port across
 * restarts, so nginx's upstream list names the same servers throughout.
 */
import type { Cleanup } from './cleanup.ts';
import { freePort } from './ports.ts';
import type { ManagedProcess } from './processes.ts';
import { startNginx, type RunningNginx, type Upstream } from './infra/nginx.ts';
import { startPhase2Infrastructure, startPhase2Instance, type Phase2Stack, type PostgresMode, type RedisMode } from './phase2.ts';

export interface Instance {
  id: string;
  port: number;
  url: string;
  process: ManagedProcess | null;
}

export interface Phase2Topology {
  /** nginx: where clients go. */
  url: string;
  nginx: RunningNginx;
  instances: Instance[];
  stack: Phase2Stack;
  startInstance(instance: Instance): Promise<void>;
}

export interface TopologyOptions {
  instances?: number;
  /** Primary, replica and Sentinels (default), or a single Redis. */
  ha?: boolean;
  /** The session store's shape, if not the one `ha` says: 'cluster' for a Redis Cluster. */
  redis?: RedisMode;
  /** 'replica': a streaming replica for the catalog, and PgBouncer in front of the primary. */
  postgres?: PostgresMode;
  /** Extra settings for every instance. */
  env?: Record<string, string>;
  /** Copy every instance's log lines to this process's output, prefixed with its name. */
  echo?: boolean;
  /** The instances' ports, chosen beforehand (the cutover tells phase 1 where they will be). */
  ports?: number[];
  /** The cutover: phase 1 behind the same nginx, answering the users phase 2 does not (`phase2Percent`). */
  cutover?: { phase1: Upstream; phase2Percent: number };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startPhase2Topology(cleanup: Cleanup, options: TopologyOptions = {}): Promise<Phase2Topology> {
  const stack = await startPhase2Infrastructure(cleanup, { ha: options.ha ?? true, ...(options.redis ? { redis: options.redis } : {}), ...(options.postgres ? { postgres: options.postgres } : {}) });
  const instances: Instance[] = [];
  for (let i = 1; i <= (options.instances ?? 3); i += 1) {
    const port = options.ports?.[i - 1] ?? (await freePort());
    instances.push({ id: `api-${i}`, port, url: `http://127.0.0.1:${port}`, process: null });
  }
  const startInstance = async (instance: Instance) => {
    const started = await startPhase2Instance(cleanup, stack, instance.id, { ...options.env, PORT: String(instance.port) }, { echo: options.echo ?? false });
    instance.process = started.process;
    await waitReady(instance.url);
  };
  await Promise.all(instances.map(startInstance));
  const nginx = await startNginx(cleanup, instances.map((i) => ({ port: i.port })), { bodyLimitBytes: Number(stack.env.BODY_LIMIT_BYTES), ...options.cutover });
  return {
    url: nginx.url,
    nginx,
    instances,
    stack,
    startInstance,
  };
}
