/** `npm run grafana -w harness`: writes compose's Grafana dashboard from the console's queries. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MONITORING_DIR } from '../infra/prometheus.ts';
import { grafanaDashboard } from '../lab/grafana.ts';

export const DASHBOARD_FILE = join(MONITORING_DIR, 'grafana', 'dashboards', 'lab.json');

writeFileSync(DASHBOARD_FILE, `${JSON.stringify(grafanaDashboard(), null, 2)}\n`);
console.log(`wrote ${DASHBOARD_FILE}`);
