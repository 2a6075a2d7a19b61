/**
 * What the lab console asks Prometheus every second, and what the Grafana dashboard compose.yaml
 * provisions draws: one list, so the two never disagree (harness/test/monitoring.test.ts compares
 * the dashboard with it). The series are rules.yml's recordings where one exists.
 */
export interface LabQuery {
  /** The key the console's snapshot files the result under. */
  id: string;
  title: string;
  expr: string;
  /** Grafana's legend template. */
  legend: string;
  /** Grafana's unit. */
  unit: string;
}

export const LAB_QUERIES: readonly LabQuery[] = [
  { id: 'requests', title: 'Requests per second, by instance', expr: 'phase_instance:http_requests:rate5s', legend: '{{phase}} {{instance}}', unit: 'reqps' },
  { id: 'errors', title: 'Server errors (5xx) per second, by instance', expr: 'phase_instance:http_server_errors:rate5s', legend: '{{phase}} {{instance}}', unit: 'reqps' },
  { id: 'p50', title: 'Median response time (p50)', expr: 'phase:http_request_duration_seconds:p50_5s', legend: '{{phase}} p50', unit: 's' },
  { id: 'p99', title: 'p99 response time', expr: 'phase:http_request_duration_seconds:p99_5s', legend: '{{phase}} p99', unit: 's' },
  { id: 'sessions', title: 'Live sessions in each phase\'s store', expr: 'phase:sessions_live:max', legend: '{{phase}}', unit: 'short' },
  { id: 'crowd', title: 'Virtual users by state', expr: 'lab_crowd_users', legend: '{{phase}} {{kind}} {{state}}', unit: 'short' },
  { id: 'targets', title: 'Each phase\'s processes answering scrapes', expr: 'up{job=~"phase1|phase2"}', legend: '{{job}} {{instance}}', unit: 'bool' },
  { id: 'redisUp', title: 'Redis nodes answering', expr: 'redis_up', legend: '{{instance}}', unit: 'bool' },
  { id: 'redisRole', title: 'Redis role by node (1 = the role it holds)', expr: 'redis_instance_info', legend: '{{instance}} {{role}}', unit: 'short' },
  { id: 'postgres', title: 'PostgreSQL answering', expr: 'pg_up', legend: 'postgres', unit: 'bool' },
  { id: 'nginx', title: 'nginx answering', expr: 'nginx_up', legend: 'nginx', unit: 'bool' },
  { id: 'errorRatio', title: 'Server error ratio, 1 min (rollback trigger: 1 %)', expr: 'phase:http_server_errors:ratio_rate1m', legend: '{{phase}}', unit: 'percentunit' },
  { id: 'p99Slo', title: 'p99, 1 min (rollback trigger: 500 ms)', expr: 'phase:http_request_duration_seconds:p99_1m', legend: '{{phase}}', unit: 's' },
  { id: 'memory', title: 'Resident memory by process', expr: 'process_resident_memory_bytes{job=~"phase1|phase2"}', legend: '{{phase}} {{instance}}', unit: 'bytes' },
  { id: 'alerts', title: 'Alerts firing', expr: 'ALERTS{alertstate="firing"}', legend: '{{alertname}} {{phase}}', unit: 'short' },
];
