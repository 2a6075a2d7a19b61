/**
 * deploy/k8s/ cannot be applied here (no cluster), so it is checked the other ways, as compose.yaml
 * is (compose.test.ts): each overlay rendered as `kubectl apply -k` would render it, every object
 * against the Kubernetes API's schemas with unknown fields refused, and against phase 2 itself: the
 * settings it reads, the probes its contract has, the Redis topology the harness runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASTER_NAME, NODE_DATA_SETTINGS, sentinelSettings } from 'harness';
import { contractOperations } from 'contract';
import { SETTINGS_SCHEMA, loadConfig as loadPhase2Config } from 'phase2-production/config';
import { repoRoot } from '../src/paths.ts';
import { kustomizeBuild, overlayDir, type K8sObject } from './kustomize.ts';
import { problemsOf } from './k8s-schema.ts';

const overlays = { local: kustomizeBuild(overlayDir(repoRoot, 'local')), production: kustomizeBuild(overlayDir(repoRoot, 'production')) };

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it reads: parsed YAML has no type
function find<T = Record<string, unknown>>(objects: K8sObject[], kind: string, name: string): K8sObject & T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found as K8sObject & T;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  startupProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
}
type Workload = { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; initContainers?: Container[] } } } };

const containerOf = (workload: Workload, name: string): Container => {
  const container = [...workload.spec.template.spec.containers, ...(workload.spec.template.spec.initContainers ?? [])].find((c) => c.name === name);
  if (!container) throw new Error(`no container ${name}`);
  return container;
};

describe.each(Object.entries(overlays))('deploy/k8s/overlays/%s', (name, objects) => {
  it('holds the topology, every object valid against the Kubernetes schemas with no unknown field', async () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/api-settings', 'ConfigMap/prometheus-scrape', 'ConfigMap/redis-node', 'Deployment/api', 'HorizontalPodAutoscaler/api', 'Ingress/api', 'Namespace/lab',
      'PodDisruptionBudget/api', ...(name === 'local' ? ['Secret/lab-secrets'] : []), 'Service/api', 'Service/postgres', 'Service/redis', 'Service/sentinel',
      'StatefulSet/postgres', 'StatefulSet/redis', 'StatefulSet/sentinel',
    ]);
    for (const object of objects) expect(await problemsOf(object)).toEqual([]);
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) expect(object.metadata.namespace, object.kind).toBe('lab');
  });

  it('gives phase 2 settings it accepts, every one a setting it reads, and the same Redis and proxy settings as the harness', () => {
    const api = find<Workload>(objects, 'Deployment', 'api');
    const container = containerOf(api, 'api');
    const settings = find<{ data: Record<string, string> }>(objects, 'ConfigMap', 'api-settings').data;
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'api-settings' } }]);
    const env: Record<string, string> = { ...settings };
    for (const variable of container.env ?? []) {
      if (variable.valueFrom?.fieldRef) env[variable.name] = 'api-6f7c9d8b5-x2k4q';
      else if (variable.valueFrom?.secretKeyRef) env[variable.name] = variable.name === 'JWT_SECRET' ? 's'.repeat(32) : 'postgres://lab:lab@postgres:5432/lab';
    }
    const config = loadPhase2Config(env);
    // Every name is one phase 2 reads: a misspelt setting would otherwise be ignored in silence.
    expect(Object.keys(env).filter((setting) => !(setting in SETTINGS_SCHEMA.properties))).toEqual([]);
    expect(config).toMatchObject({ port: 3002, instanceId: 'api-6f7c9d8b5-x2k4q', redisWaitReplicas: 1, cookieSecure: true, redis: { kind: 'sentinel', masterName: MASTER_NAME } });
    const sentinels = objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.name === 'sentinel').map((o) => (o as unknown as Workload).spec.replicas)[0] ?? 0;
    expect(settings.REDIS_SENTINELS).toBe(Array.from({ length: sentinels }, (_, i) => `sentinel-${String(i)}.sentinel:26379`).join(','));
    // Secrets come from the Secret, never from the ConfigMap.
    for (const secret of ['JWT_SECRET', 'DATABASE_URL']) expect(settings[secret]).toBeUndefined();
  });

  it('probes the contract\'s health endpoints on the port phase 2 listens on', () => {
    const container = containerOf(find<Workload>(objects, 'Deployment', 'api'), 'api');
    const paths = new Map(contractOperations().map((o) => [o.operationId, o.path]));
    expect(container.startupProbe?.httpGet.path).toBe(paths.get('getStartup'));
    expect(container.readinessProbe?.httpGet.path).toBe(paths.get('getReadiness'));
    expect(container.livenessProbe?.httpGet.path).toBe(paths.get('getLiveness'));
    const port = container.ports?.find((p) => p.name === container.readinessProbe?.httpGet.port);
    expect(String(port?.containerPort)).toBe(find<{ data: Record<string, string> }>(objects, 'ConfigMap', 'api-settings').data.PORT);
  });

  it('ties the Service, the disruption budget, the autoscaler and the Ingress to the API\'s pods, and keeps the operators\' endpoints off the Ingress', () => {
    const api = find<Workload>(objects, 'Deployment', 'api');
    const labels = api.spec.template.metadata.labels;
    for (const selector of [api.spec.selector.matchLabels, find<{ spec: { selector: Record<string, string> } }>(objects, 'Service', 'api').spec.selector, find<{ spec: { selector: { matchLabels: Record<string, string> } } }>(objects, 'PodDisruptionBudget', 'api').spec.selector.matchLabels]) {
      expect(labels).toMatchObject(selector);
    }
    const hpa = find<{ spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } }>(objects, 'HorizontalPodAutoscaler', 'api').spec;
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'api' });
    expect(hpa.minReplicas).toBeLessThanOrEqual(api.spec.replicas);
    expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    const ingress = find<{ spec: { tls: { hosts: string[]; secretName: string }[]; rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }[] } }[] } }>(objects, 'Ingress', 'api').spec;
    expect(ingress.tls[0]?.hosts).toEqual([ingress.rules[0]?.host]);
    const routes = ingress.rules.flatMap((rule) => rule.http.paths);
    expect(routes.map((r) => `${r.pathType} ${r.path}`)).toEqual(['Prefix /api', 'Exact /health/live', 'Exact /health/ready', 'Exact /health/startup']);
    const servicePorts = find<{ spec: { ports: { name: string }[] } }>(objects, 'Service', 'api').spec.ports.map((p) => p.name);
    for (const route of routes) expect(servicePorts).toContain(route.backend.service.port.name);
  });

  it('runs Redis as the harness does: its node script, data settings and Sentinel settings', () => {
    expect(find<{ data: Record<string, string> }>(objects, 'ConfigMap', 'redis-node').data['redis-node.sh']).toBe(readFileSync(join(repoRoot, 'phase2-production', 'deployment', 'redis-node.sh'), 'utf8'));
    const redis = containerOf(find<Workload>(objects, 'StatefulSet', 'redis'), 'redis');
    expect(redis.command?.join(' ')).toContain(NODE_DATA_SETTINGS.join(' '));
    expect(redis.command).not.toContain('--replicaof');
    expect(Object.fromEntries((redis.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]))).toMatchObject({ INITIAL_PRIMARY: 'redis-0.redis:6379', REDIS_MASTER_NAME: MASTER_NAME });
    const sentinel = containerOf(find<Workload>(objects, 'StatefulSet', 'sentinel'), 'sentinel').command?.join(' ') ?? '';
    for (const line of sentinelSettings('redis-0.redis', 6379)) expect(sentinel).toContain(line);
  });
});

describe('the overlays', () => {
  it('run one instance of a local build locally, and a pinned image with the cluster\'s own secrets in production', () => {
    const image = (objects: K8sObject[]) => containerOf(find<Workload>(objects, 'Deployment', 'api'), 'api').image;
    expect(find<Workload>(overlays.local, 'Deployment', 'api').spec.replicas).toBe(1);
    expect(image(overlays.local)).toBe('stateless-vs-stateful-lab/phase2-production:local');
    expect(image(overlays.production)).toBe('stateless-vs-stateful-lab/phase2-production:1.0.0');
    expect(containerOf(find<Workload>(overlays.production, 'Deployment', 'api'), 'migrate').image).toBe(image(overlays.production));
    expect(overlays.production.some((o) => o.kind === 'Secret')).toBe(false);
  });
});

describe('the strict check', () => {
  it('refuses a field the API does not have and a value of the wrong type, wherever they are', async () => {
    const api = structuredClone(find<Workload>(overlays.local, 'Deployment', 'api'));
    const container = api.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    container.livenesProbe = container.livenessProbe;
    (api.spec as Record<string, unknown>).replicas = 'three';
    const problems = await problemsOf(api);
    expect(problems).toContain('Deployment/api.spec.template.spec.containers[0].livenesProbe: unknown field of V1Container');
    expect(problems).toContain('Deployment/api.spec.replicas: not a number');
    expect(problems.some((p) => p.startsWith('Deployment/api: ') && p.includes('replicas'))).toBe(true);
  });
});
