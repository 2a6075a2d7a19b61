/**
 * The monitoring files, checked by Prometheus's own tool: compose's configuration and the one the
 * lab renders from it are valid, the rules load, and the alerts' unit tests pass (promtool test
 * rules runs rules.test.yml: each rollback trigger fires on the series that should trip it, after
 * its `for`, and stays quiet just under its threshold). The Grafana dashboard is the console's
 * queries, and the console's buttons are the faults `npm run up` serves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensurePrograms } from '../src/infra/binaries.ts';
import { COMPOSE_PROMETHEUS_CONFIG, MONITORING_DIR, RULES_FILE, labPrometheusConfig } from '../src/infra/prometheus.ts';
import { GRAFANA_DATASOURCE_UID, grafanaDashboard } from '../src/lab/grafana.ts';
import { LAB_QUERIES } from '../src/lab/queries.ts';
import { faultButtons } from '../src/lab/lab.ts';

const { promtool } = ensurePrograms(['promtool']);
const scratch = mkdtempSync(join(tmpdir(), 'lab-monitoring-test-'));
afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

function promtoolRun(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool, args, { encoding: 'utf8', cwd: MONITORING_DIR, timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Prometheus configuration and rules', () => {
  it('compose\'s configuration and its rules are valid (promtool check config)', () => {
    const checked = promtoolRun('check', 'config', COMPOSE_PROMETHEUS_CONFIG);
    expect(checked.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(checked.status, checked.output).toBe(0);
  });

  it('the alerts\' unit tests pass (promtool test rules), and fail when a threshold moves', () => {
    const tested = promtoolRun('test', 'rules', 'rules.test.yml');
    expect(tested.status, tested.output).toBe(0);
    // The tests can fail: the same tests against rules whose error threshold is 3 %, not 1 %.
    const loosened = readFileSync(RULES_FILE, 'utf8').replace('ratio_rate1m > 0.01', 'ratio_rate1m > 0.03');
    expect(loosened).not.toBe(readFileSync(RULES_FILE, 'utf8'));
    writeFileSync(join(scratch, 'rules.yml'), loosened);
    writeFileSync(join(scratch, 'rules.test.yml'), readFileSync(join(MONITORING_DIR, 'rules.test.yml')));
    const broken = spawnSync(promtool, ['test', 'rules', 'rules.test.yml'], { encoding: 'utf8', cwd: scratch, timeout: 60_000 });
    expect(broken.status).toBe(1);
    expect(`${broken.stdout}${broken.stderr}`).toMatch(/alertname: ErrorRateAbove1Percent/);
  });

  it('the lab\'s configuration is compose\'s, with this machine\'s addresses and the crowd\'s job added', () => {
    const config = labPrometheusConfig({
      phase1: [{ instance: 'mock-1', address: '127.0.0.1:4001' }],
      phase2: [{ instance: 'api-1', address: '127.0.0.1:4002' }, { instance: 'api-2', address: '127.0.0.1:4003' }],
      redis: [{ name: 'redis-a', port: 4004 }, { name: 'redis-b', port: 4005 }],
      redisExporter: '127.0.0.1:4006',
      postgres: '127.0.0.1:4007',
      nginx: '127.0.0.1:4008',
      extra: [{ job: 'lab', target: '127.0.0.1:4009' }],
    });
    const file = join(scratch, 'lab-prometheus.yml');
    writeFileSync(file, stringify(config));
    const checked = promtoolRun('check', 'config', file);
    expect(checked.status, checked.output).toBe(0);
    const compose = parse(readFileSync(COMPOSE_PROMETHEUS_CONFIG, 'utf8')) as { global: unknown; scrape_configs: { job_name: string }[] };
    expect(config.global).toEqual(compose.global);
    expect(config.scrape_configs.map((job) => job.job_name)).toEqual([...compose.scrape_configs.map((job) => job.job_name), 'lab']);
    expect(config.rule_files).toEqual([RULES_FILE]);
    const job = (name: string) => config.scrape_configs.find((j) => j.job_name === name);
    expect(job('phase2')?.static_configs).toEqual([
      { targets: ['127.0.0.1:4002'], labels: { instance: 'api-1' } },
      { targets: ['127.0.0.1:4003'], labels: { instance: 'api-2' } },
    ]);
    expect(job('redis')?.static_configs?.map((s) => s.targets[0])).toEqual(['redis://127.0.0.1:4004', 'redis://127.0.0.1:4005']);
    expect(job('redis')?.relabel_configs?.find((r) => r.target_label === '__address__')?.replacement).toBe('127.0.0.1:4006');
  });
});

describe('Grafana', () => {
  const provisioning = join(MONITORING_DIR, 'grafana');

  it('provisions the dashboard the console\'s queries make (npm run grafana -w harness writes it)', () => {
    const committed = readFileSync(join(provisioning, 'dashboards', 'lab.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(grafanaDashboard(), null, 2)}\n`);
    const panels = (JSON.parse(committed) as { panels: { targets: { expr: string; datasource: { uid: string } }[] }[] }).panels;
    expect(panels.map((p) => p.targets[0]?.expr)).toEqual(LAB_QUERIES.map((q) => q.expr));
    expect(new Set(panels.map((p) => p.targets[0]?.datasource.uid))).toEqual(new Set([GRAFANA_DATASOURCE_UID]));
  });

  it('names, as its data source, the Prometheus it provisions', () => {
    const datasources = parse(readFileSync(join(provisioning, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string; url: string }[] };
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: GRAFANA_DATASOURCE_UID, type: 'prometheus', url: 'http://prometheus:9090' })]);
  });
});

describe('the console\'s fault buttons', () => {
  const actions = ['kill-instance', 'pause-instance', 'rolling-restart', 'kill-redis-primary', 'restart-redis', 'stop-postgres', 'kill-phase1', 'cutover-share'];

  it('has one per action and target that `npm run up` serves, and Redis\'s only when there are replicas to fail over to', () => {
    const ha = faultButtons(actions, ['api-1', 'api-2'], ['redis-a', 'redis-b', 'redis-c']);
    expect(ha.map((b) => b.label)).toEqual([
      'kill instance api-1', 'kill instance api-2', 'freeze instance api-1 for 5 s', 'freeze instance api-2 for 5 s', 'rolling restart of every instance',
      'kill the Redis primary', 'restart redis-a', 'restart redis-b', 'restart redis-c', 'stop PostgreSQL', 'kill phase 1',
      'phase 2 answers 0 % of users', 'phase 2 answers 10 % of users', 'phase 2 answers 50 % of users', 'phase 2 answers 100 % of users',
    ]);
    expect(ha.every((b) => actions.includes(b.action))).toBe(true);
    expect(ha.find((b) => b.label === 'restart redis-b')).toEqual({ action: 'restart-redis', target: 'redis-b', label: 'restart redis-b', group: 'Redis' });
    expect(ha.find((b) => b.label === 'phase 2 answers 10 % of users')).toEqual({ action: 'cutover-share', target: '10', label: 'phase 2 answers 10 % of users', group: 'Cutover' });
    expect(faultButtons(actions, ['api-1'], ['redis']).some((b) => b.group === 'Redis')).toBe(false);
  });
});
