/**
 * The report's charts as Mermaid `xychart-beta` definitions: GitHub renders them in report.md, and
 * Mermaid, in Chromium, turns them into SVG for index.html. Every number in a chart comes from results.json.
 */
import { maxOf, minOf } from '../extremes.ts';
import { ARRIVAL_KNEE, CUTOVER_BUCKET_MS, TIMELINE_BUCKET_MS, type ArrivalRow, type PeerRow, type Results, type ThroughputRow } from '../results.ts';
import { ARRIVAL_BUCKET_MS } from '../scenarios/arrival.ts';

/** One series of a chart as its legend names it, in the colour the chart draws it in. */
export interface LegendEntry {
  label: string;
  colour: string;
  /** The colour's name, for a reader of report.md (GitHub draws the chart, not the legend). */
  colourName: string;
}

/** The report's sections that hold charts, in the order report.md has them: each chart is drawn in its section, above its table. */
export const CHART_SECTIONS = ['throughput', 'peers', 'arrival', 'capacity', 'shards', 'failover', 'cutover'] as const;
export type ChartSection = (typeof CHART_SECTIONS)[number];

export interface Chart {
  id: string;
  section: ChartSection;
  title: string;
  mermaid: string;
  legend: LegendEntry[];
}

/**
 * Okabe and Ito's palette, which stays distinct for the common colour-vision deficiencies and in
 * greyscale print (https://jfly.uni-koeln.de/color/). Series take its colours in order.
 */
export const PALETTE: readonly (readonly [colour: string, name: string])[] = [
  ['#0072B2', 'blue'],
  ['#E69F00', 'orange'],
  ['#009E73', 'green'],
  ['#CC79A7', 'pink'],
  ['#D55E00', 'vermilion'],
  ['#56B4E9', 'sky blue'],
  ['#000000', 'black'],
  ['#F0E442', 'yellow'],
];

const quote = (label: string) => `"${label.replaceAll('"', "'")}"`;

/** The legend of series drawn in this order, and the Mermaid front matter that gives them those colours. */
function coloured(labels: string[]): { legend: LegendEntry[]; config: string } {
  const legend = labels.map((label, i) => {
    const [colour, colourName] = PALETTE[i % PALETTE.length] ?? ['#000000', 'black'];
    return { label, colour, colourName };
  });
  // Mermaid's xychart takes the palette as one comma-separated string.
  const config = ['---', 'config:', '  themeVariables:', '    xyChart:', `      plotColorPalette: "${legend.map((l) => l.colour).join(', ')}"`, '---'].join('\n');
  return { legend, config };
}

/**
 * Horizontal bars, one series, each bar named on its axis: long category names stay readable.
 * (One colour: xychart draws every series' bar at every category, so a series per category would
 * leave a stub of the last one's colour at each zero.)
 */
function bar(title: string, labels: string[], values: number[], yLabel: string): Pick<Chart, 'mermaid' | 'legend'> {
  const max = Math.max(1, maxOf(values, 1));
  return plot(
    ['xychart-beta horizontal', `  title ${quote(title)}`, `  x-axis [${labels.map(quote).join(', ')}]`, `  y-axis ${quote(yLabel)} 0 --> ${Math.ceil(max * 1.1)}`],
    [{ label: yLabel, kind: 'bar', values }],
  );
}

/** A chart of named series (bars or lines), drawn in the palette's order and named in its legend. */
function plot(head: string[], series: { label: string; kind: 'bar' | 'line'; values: number[] }[]): Pick<Chart, 'mermaid' | 'legend'> {
  const { legend, config } = coloured(series.map((s) => `${s.label} (${s.kind === 'bar' ? 'bars' : 'line'})`));
  return { legend, mermaid: [config, ...head, ...series.map((s) => `  ${s.kind} [${s.values.join(', ')}]`)].join('\n') };
}

/** Above this, a p99 is drawn at it (the knee's bound four times over): past the knee latency grows without bound, and would flatten every other line. */
export const ARRIVAL_CHART_CAP_MS = ARRIVAL_KNEE.p99Ms * 4;

/** The open model's charts: p99 against the arrival rate, the percentiles at average load, and the spike per 100 ms, every target on each. */
function arrivalCharts(arrival: ArrivalRow[]): Chart[] {
  const [first] = arrival;
  if (!first) return [];
  const capped = (us: number) => Math.round(Math.min(us / 1000, ARRIVAL_CHART_CAP_MS) * 100) / 100;
  const list: Chart[] = [];
  const rates = first.grid.map((s) => s.rate);
  list.push({
    section: 'arrival',
    id: 'arrival-knee',
    title: `Stateful read: p99 latency (ms) as the arrival rate grows; above ${ARRIVAL_CHART_CAP_MS} ms drawn at ${ARRIVAL_CHART_CAP_MS}`,
    ...plot(
      ['xychart-beta', `  title ${quote('p99 latency by arrival rate (req/s)')}`, `  x-axis "arrivals per second" [${rates.map((r) => quote(r.toLocaleString('en'))).join(', ')}]`, `  y-axis "p99 ms" 0 --> ${ARRIVAL_CHART_CAP_MS}`],
      [
        // Every target ran the profile's grid; a rate at which every request failed is drawn at the cap.
        ...arrival.map((a) => ({ label: a.target, kind: 'line' as const, values: a.grid.map((s) => capped(s.failedShare >= 1 ? Infinity : s.latencyUs.p99)) })),
        { label: `the knee's bound, ${ARRIVAL_KNEE.p99Ms} ms`, kind: 'line' as const, values: rates.map(() => ARRIVAL_KNEE.p99Ms) },
      ],
    ),
  });
  // Every target ran every shape.
  const shapesOf = (name: ArrivalRow['shapes'][number]['shape']) => arrival.flatMap((a) => a.shapes.filter((s) => s.shape === name).map((shape) => ({ target: a.target, shape })));
  const percentiles: [string, (l: ArrivalRow['grid'][number]['latencyUs']) => number][] = [['p50', (l) => l.p50], ['p90', (l) => l.p90], ['p99', (l) => l.p99], ['p99.9', (l) => l.p999]];
  const series = shapesOf('average load').map((a) => ({ label: `${a.target} at ${a.shape.peakRate.toLocaleString('en')} req/s`, kind: 'line' as const, values: percentiles.map(([, pick]) => capped(pick(a.shape.result.latencyUs))) }));
  list.push({
    section: 'arrival',
    id: 'arrival-percentiles',
    title: 'Average load (half of each knee): latency percentiles, ms',
    ...plot(['xychart-beta', `  title ${quote('Latency percentiles at average load, ms')}`, `  x-axis [${percentiles.map(([name]) => quote(name)).join(', ')}]`, `  y-axis "ms" 0 --> ${Math.max(1, Math.ceil(maxOf(series.flatMap((s) => s.values), 0) * 1.2))}`], series),
  });
  const spikes = shapesOf('spike');
  const length = minOf(spikes.map((s) => s.shape.result.timeline.length), 0);
  list.push({
    section: 'arrival',
    id: 'arrival-spike',
    title: `Spike to three times each knee: p99 per ${ARRIVAL_BUCKET_MS} ms (ms; a tenth with every request failed drawn at ${ARRIVAL_CHART_CAP_MS})`,
    ...plot(
      ['xychart-beta', `  title ${quote(`Spike: p99 per ${ARRIVAL_BUCKET_MS} ms`)}`, `  x-axis "seconds" 0 --> ${((length * ARRIVAL_BUCKET_MS) / 1000).toFixed(1)}`, `  y-axis "p99 ms" 0 --> ${ARRIVAL_CHART_CAP_MS}`],
      spikes.map((s) => ({ label: s.target, kind: 'line' as const, values: s.shape.result.timeline.slice(0, length).map((b) => (b.due > 0 && b.failed === b.due ? ARRIVAL_CHART_CAP_MS : capped(b.p99Us))) })),
    ),
  });
  return list;
}

export function charts(results: Results): Chart[] {
  const list: Chart[] = [];
  const info = results.throughput.filter((r) => r.endpoint === 'stateless info');
  // Above ten thousand, thousands of requests per second keep the axis readable.
  const rps = (values: number[]) => {
    const scale = maxOf(values, 0) > 10_000 ? 1000 : 1;
    return { values: values.map((v) => Math.round((v / scale) * 10) / 10), unit: scale === 1000 ? 'thousand req/s' : 'req/s' };
  };
  if (info.length > 0) {
    const { values, unit } = rps(info.map((r) => r.requestsPerSecond));
    list.push({ section: 'throughput', id: 'stateless-info', title: 'Stateless info: requests per second, phases and baselines', ...bar(`Stateless info, ${unit}`, info.map((r) => r.target), values, unit) });
  }
  const endpoints = [...new Set(results.throughput.map((r) => r.endpoint))];
  for (const target of ['phase1-mock', 'phase2 direct', 'phase2 via nginx']) {
    const rows = endpoints.map((e) => results.throughput.find((r) => r.endpoint === e && r.target === target)).filter((r) => r !== undefined);
    if (rows.length === 0) continue;
    const { values, unit } = rps(rows.map((r) => r.requestsPerSecond));
    list.push({ section: 'throughput', id: `endpoints-${target.replaceAll(' ', '-')}`, title: `${target}: requests per second by operation`, ...bar(`${target}, ${unit} by operation`, rows.map((r) => r.endpoint), values, unit) });
  }
  // The comparison the project exists for: both phases, the same operations, one axis.
  const both = endpoints.flatMap((e) => {
    const one = results.throughput.find((r) => r.endpoint === e && r.target === 'phase1-mock');
    const two = results.throughput.find((r) => r.endpoint === e && r.target === 'phase2 direct');
    return one && two ? [{ endpoint: e, one: one.requestsPerSecond, two: two.requestsPerSecond }] : [];
  });
  if (both.length > 0) {
    const { values, unit } = rps(both.flatMap((b) => [b.one, b.two]));
    list.push({
      section: 'throughput',
      id: 'phases-by-operation',
      title: `Phase 1 and phase 2 (one instance, direct) on the same operations, ${unit}`,
      ...plot(
        ['xychart-beta horizontal', `  title ${quote(`Phase 1 and phase 2, ${unit} by operation`)}`, `  x-axis [${both.map((b) => quote(b.endpoint)).join(', ')}]`, `  y-axis ${quote(unit)} 0 --> ${Math.ceil(Math.max(1, maxOf(values, 1)) * 1.1)}`],
        [
          { label: 'phase 2 direct', kind: 'bar', values: values.filter((_, i) => i % 2 === 1) },
          { label: 'phase 1', kind: 'line', values: values.filter((_, i) => i % 2 === 0) },
        ],
      ),
    });
  }
  const sweep = results.sweep ?? [];
  const sweepTargets = [...new Set(sweep.map((p) => p.target))];
  const counts = [...new Set(sweep.map((p) => p.connections))];
  if (sweepTargets.length > 0 && sweepTargets.every((t) => counts.every((c) => sweep.some((p) => p.target === t && p.connections === c)))) {
    // Every target was measured at every count, in the same order.
    const series = sweepTargets.map((t) => ({ label: t, kind: 'line' as const, values: sweep.filter((p) => p.target === t).map((p) => Math.round(p.p99Ms * 100) / 100) }));
    list.push({
      section: 'throughput',
      id: 'sweep-latency',
      title: 'Stateful read: p99 latency (ms) as connections grow, each sending its next request once answered',
      ...plot(['xychart-beta', `  title ${quote('Stateful read: p99 ms by connections')}`, `  x-axis "connections" [${counts.map((c) => quote(String(c))).join(', ')}]`, `  y-axis "p99 ms" 0 --> ${Math.max(1, Math.ceil(maxOf(series.flatMap((s) => s.values), 0) * 1.2))}`], series),
    });
  }
  const peers = results.peers ?? [];
  const operations: [string, (p: PeerRow) => ThroughputRow][] = [['session read', (p) => p.read], ['increment', (p) => p.increment]];
  for (const [operation, pick] of peers.length > 0 ? operations : []) {
    const { values, unit } = rps(peers.map((p) => pick(p).requestsPerSecond));
    list.push({ section: 'peers', id: `peers-${operation.replace(' ', '-')}`, title: `Stateful ${operation}: the phases beside the common session stacks, ${unit}`, ...bar(`Stateful ${operation}, ${unit}`, peers.map((p) => p.target), values, unit) });
  }
  for (const chart of arrivalCharts(results.arrival ?? [])) list.push(chart);
  for (const c of results.capacity) {
    if (c.steps.length === 0) continue;
    list.push({
      section: 'capacity',
      id: `capacity-${c.phase}`,
      title: `${c.phase}: p99 session read (ms) as live sessions grow`,
      ...plot(
        [
          'xychart-beta',
          `  title ${quote(`${c.phase}: p99 read latency by live sessions`)}`,
          `  x-axis [${c.steps.map((s) => quote(s.sessions.toLocaleString('en'))).join(', ')}]`,
          `  y-axis "ms" 0 --> ${Math.max(1, Math.ceil(maxOf(c.steps.map((s) => s.readP99Ms), 0) * 1.2))}`,
        ],
        [{ label: 'p99 session read, ms', kind: 'line', values: c.steps.map((s) => s.readP99Ms) }],
      ),
    });
  }
  const lastShards = results.shards?.at(-1);
  if (lastShards && lastShards.shards.length > 0) {
    list.push({
      section: 'shards',
      id: 'shards-keys',
      title: `Redis Cluster: sessions held by each shard's primary at ${lastShards.sessions.toLocaleString('en')} live sessions`,
      ...bar(`Keys per shard, ${lastShards.sessions.toLocaleString('en')} sessions`, lastShards.shards.map((s) => s.primary), lastShards.shards.map((s) => s.keys), 'keys'),
    });
  }
  for (const f of results.failover) {
    const last = f.timeline.at(-1);
    if (!last) continue;
    const failed = f.timeline.map((t) => t.failed);
    const ok = f.timeline.map((t) => t.ok);
    list.push({
      section: 'failover',
      id: `failover-${f.phase}-${f.fault}`.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      title: `${f.phase}, ${f.fault}: answers per ${TIMELINE_BUCKET_MS} ms`,
      ...plot(
        [
          'xychart-beta',
          `  title ${quote(`${f.phase}: ${f.fault}`)}`,
          `  x-axis "seconds since the load began" 0 --> ${((last.atMs + TIMELINE_BUCKET_MS) / 1000).toFixed(1)}`,
          `  y-axis "answers" 0 --> ${Math.max(1, Math.ceil(Math.max(maxOf(ok, 0), maxOf(failed, 0)) * 1.1))}`,
        ],
        [
          { label: 'succeeded', kind: 'bar', values: ok },
          { label: 'failed', kind: 'line', values: failed },
        ],
      ),
    });
  }
  for (const run of results.cutover ?? []) {
    const last = run.timeline.at(-1);
    if (!last) continue;
    const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);
    const series: { label: string; kind: 'bar' | 'line'; values: number[] }[] = [
      { label: "phase 2's share of users, as set", kind: 'line', values: run.timeline.map((t) => t.share) },
      { label: "phase 2's share of requests, as answered", kind: 'line', values: run.timeline.map((t) => percent(t.phase2, t.ok + t.failed)) },
      { label: 'requests failed', kind: 'bar', values: run.timeline.map((t) => percent(t.failed, t.ok + t.failed)) },
    ];
    // The error-rate trigger's own series, where the run was watched for it.
    if (run.rollback) series.push({ label: "phase 2's error rate as the trigger reads it (over 1 minute)", kind: 'line', values: run.timeline.map((t) => Math.round((t.errorRatio ?? 0) * 1000) / 10) });
    list.push({
      section: 'cutover',
      id: `cutover-${run.name}`,
      title: `Cutover, ${run.name}: per ${CUTOVER_BUCKET_MS / 1000} s, in percent`,
      ...plot(
        [
          'xychart-beta',
          `  title ${quote(`Cutover, ${run.name}${run.rollback ? `: rolled back at ${(run.rollback.atMs / 1000).toFixed(0)} s` : ''}`)}`,
          `  x-axis "seconds since the users started" 0 --> ${((last.atMs + CUTOVER_BUCKET_MS) / 1000).toFixed(0)}`,
          '  y-axis "percent" 0 --> 100',
        ],
        series,
      ),
    });
  }
  // In the order the sections come in report.md, which index.html's charts are matched to.
  return CHART_SECTIONS.flatMap((section) => list.filter((chart) => chart.section === section));
}
