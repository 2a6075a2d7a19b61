/**
 * Prometheus and its exporters from Debian's packages, on free ports, for the lab: the
 * configuration is compose's own (phase2-production/deployment/monitoring/prometheus.yml) with the
 * addresses this machine gave each target, and the same rules.yml. One redis_exporter serves every
 * Redis node (multi-target, /scrape?target=…), as in compose.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Cleanup } from '../cleanup.ts';
import { phase2Dir } from '../paths.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';

export const MONITORING_DIR = join(phase2Dir, 'deployment', 'monitoring');
export const COMPOSE_PROMETHEUS_CONFIG = join(MONITORING_DIR, 'prometheus.yml');
export const RULES_FILE = join(MONITORING_DIR, 'rules.yml');

/** Where each job's targets are on this machine (host:port), by the job names prometheus.yml uses. */
export interface ScrapeTargets {
  /** Each phase's processes, by the instance id they report (mock-1, api-1, …). */
  phase1: { instance: string; address: string }[];
  phase2: { instance: string; address: string }[];
  /** Each Redis node by name; scraped through `redisExporter`. */
  redis: { name: string; port: number }[];
  redisExporter: string;
  postgres: string;
  nginx: string;
  /** Jobs only the lab has (its virtual users' own metrics), added to compose's. */
  extra?: { job: string; target: string }[];
}

interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: StaticConfig[];
  relabel_configs?: { source_labels?: string[]; target_label?: string; replacement?: string }[];
  [setting: string]: unknown;
}

interface PrometheusConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

/** compose's configuration, each job's targets replaced by this machine's, and the rules by path. */
export function labPrometheusConfig({ extra = [], ...targets }: ScrapeTargets): PrometheusConfig {
  const config = parse(readFileSync(COMPOSE_PROMETHEUS_CONFIG, 'utf8')) as PrometheusConfig;
  const targetsOf: Record<string, StaticConfig[]> = {
    phase1: targets.phase1.map((t) => ({ targets: [t.address], labels: { instance: t.instance } })),
    phase2: targets.phase2.map((t) => ({ targets: [t.address], labels: { instance: t.instance } })),
    redis: targets.redis.map((node) => ({ targets: [`redis://127.0.0.1:${node.port}`], labels: { instance: node.name } })),
    postgres: [{ targets: [targets.postgres], labels: { instance: 'postgres' } }],
    nginx: [{ targets: [targets.nginx], labels: { instance: 'nginx' } }],
  };
  for (const job of config.scrape_configs) {
    const mine = targetsOf[job.job_name];
    if (!mine) throw new Error(`prometheus.yml has a job the lab does not know: ${job.job_name}`);
    job.static_configs = mine;
    for (const rule of job.relabel_configs ?? []) {
      // The exporter's address, the one relabelling that names a host.
      if (rule.target_label === '__address__') rule.replacement = targets.redisExporter;
    }
  }
  for (const { job, target } of extra) config.scrape_configs.push({ job_name: job, static_configs: [{ targets: [target] }] });
  config.rule_files = config.rule_files.map((file) => join(MONITORING_DIR, file));
  return config;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  process: ManagedProcess;
  /** An instant query through the HTTP API; throws with Prometheus's error for a bad expression. */
  query(expr: string): Promise<PromSample[]>;
}

/** Runs a query against Prometheus's HTTP API (`/api/v1/query`). */
export async function queryPrometheus(url: string, expr: string): Promise<PromSample[]> {
  const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success' || !body.data) throw new Error(`prometheus: ${body.error ?? `HTTP ${response.status}`} in ${expr}`);
  if (body.data.resultType !== 'vector') throw new Error(`prometheus: ${expr} is a ${body.data.resultType}, not an instant vector`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

async function waitForHttp(url: string, child: ManagedProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exited()) throw new Error(`${what} exited at start:\n${child.recentOutput()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready within 30 s:\n${child.recentOutput()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startPrometheus(cleanup: Cleanup, targets: ScrapeTargets): Promise<RunningPrometheus> {
  const { prometheus: binary } = ensurePrograms(['prometheus']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-prometheus-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(labPrometheusConfig(targets)));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { process: child } = await startProcess({
    name: 'prometheus',
    command: binary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      // A lab session's worth; the data goes with the temp dir anyway.
      '--storage.tsdb.retention.time=1d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
  });
  cleanup.add('stop prometheus', () => child.stop());
  await waitForHttp(`${url}/-/ready`, child, 'prometheus');
  return { url, process: child, query: (expr) => queryPrometheus(url, expr) };
}

export interface RunningExporters {
  redis: string;
  postgres: string;
  nginx: string;
  processes: ManagedProcess[];
}

/**
 * The three exporters, each on a free loopback port: redis_exporter with no default node (it scrapes
 * the one each request names), postgres_exporter on the lab's database, nginx's on its stub_status.
 */
export async function startExporters(cleanup: Cleanup, sources: { databaseUrl: string; nginxStatusUrl: string }): Promise<RunningExporters> {
  const programs = ensurePrograms(['prometheus-redis-exporter', 'prometheus-postgres-exporter', 'prometheus-nginx-exporter']);
  const processes: ManagedProcess[] = [];
  const start = async (name: string, command: string, args: (port: number) => string[], env: NodeJS.ProcessEnv = {}) => {
    const port = await freePort();
    const { process: child } = await startProcess({ name, command, args: args(port), env: { ...process.env, ...env } });
    processes.push(child);
    cleanup.add(`stop ${name}`, () => child.stop());
    await waitForHttp(`http://127.0.0.1:${port}/metrics`, child, name);
    return `127.0.0.1:${port}`;
  };
  const [redis, postgres, nginx] = await Promise.all([
    start('redis-exporter', programs['prometheus-redis-exporter'], (port) => ['-web.listen-address', `127.0.0.1:${port}`, '-redis.addr', '']),
    start('postgres-exporter', programs['prometheus-postgres-exporter'], (port) => [`--web.listen-address=127.0.0.1:${port}`], {
      DATA_SOURCE_NAME: withSslDisabled(sources.databaseUrl),
    }),
    start('nginx-exporter', programs['prometheus-nginx-exporter'], (port) => ['-web.listen-address', `127.0.0.1:${port}`, '-nginx.scrape-uri', sources.nginxStatusUrl]),
  ]);
  return { redis, postgres, nginx, processes };
}

/** The lab's PostgreSQL listens on loopback without TLS; the exporter's driver asks for it by default. */
function withSslDisabled(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable');
  return url.toString();
}
