/**
 * The Grafana dashboard compose.yaml provisions, built from the console's own queries
 * (./queries.ts): phase2-production/deployment/monitoring/grafana/dashboards/lab.json is this
 * function's output, and harness/test/monitoring.test.ts fails when the two differ.
 * `npm run grafana -w harness` writes it again.
 */
import { LAB_QUERIES } from './queries.ts';

export const GRAFANA_DATASOURCE_UID = 'lab-prometheus';

export function grafanaDashboard(): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: GRAFANA_DATASOURCE_UID };
  return {
    uid: 'stateless-vs-stateful-lab',
    title: 'Stateless vs stateful lab',
    description: 'Both phases side by side, from the same queries as the lab console (harness/src/lab/queries.ts).',
    tags: ['lab'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '1s',
    time: { from: 'now-5m', to: 'now' },
    timepicker: { refresh_intervals: ['1s', '5s', '30s'] },
    panels: LAB_QUERIES.map((query, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: query.title,
      datasource,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: query.unit, custom: { lineWidth: 2 } }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
      targets: [{ refId: 'A', datasource, expr: query.expr, legendFormat: query.legend, range: true }],
    })),
  };
}
