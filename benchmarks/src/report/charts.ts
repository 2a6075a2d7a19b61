/**
 * The report's charts as Mermaid `xychart-beta` definitions: GitHub renders them in report.md, and
 * Mermaid, in Chromium, turns them into SVG for index.html. Every number in a chart comes from results.json.
 */
import { CUTOVER_BUCKET_MS, TIMELINE_BUCKET_MS, type PeerRow, type Results, type ThroughputRow } from '../results.ts';

export interface Chart {
  id: string;
  title: string;
  mermaid: string;
}

const quote = (label: string) => `"${label.replaceAll('"', "'")}"`;

/** Horizontal bars: long category names stay readable. */
function bar(title: string, labels: string[], values: number[], yLabel: string): string {
  const max = Math.max(1, ...values);
  return [
    'xychart-beta horizontal',
    `  title ${quote(title)}`,
    `  x-axis [${labels.map(quote).join(', ')}]`,
    `  y-axis ${quote(yLabel)} 0 --> ${Math.ceil(max * 1.1)}`,
    `  bar [${values.join(', ')}]`,
  ].join('\n');
}

export function charts(results: Results): Chart[] {
  const list: Chart[] = [];
  const info = results.throughput.filter((r) => r.endpoint === 'stateless info');
  // Above ten thousand, thousands of requests per second keep the axis readable.
  const rps = (values: number[]) => {
    const scale = Math.max(...values) > 10_000 ? 1000 : 1;
    return { values: values.map((v) => Math.round((v / scale) * 10) / 10), unit: scale === 1000 ? 'thousand req/s' : 'req/s' };
  };
  if (info.length > 0) {
    const { values, unit } = rps(info.map((r) => r.requestsPerSecond));
    list.push({ id: 'stateless-info', title: 'Stateless info: requests per second, phases and baselines', mermaid: bar(`Stateless info, ${unit}`, info.map((r) => r.target), values, unit) });
  }
  const endpoints = [...new Set(results.throughput.map((r) => r.endpoint))];
  for (const target of ['phase1-mock', 'phase2 direct', 'phase2 via nginx']) {
    const rows = endpoints.map((e) => results.throughput.find((r) => r.endpoint === e && r.target === target)).filter((r) => r !== undefined);
    if (rows.length === 0) continue;
    const { values, unit } = rps(rows.map((r) => r.requestsPerSecond));
    list.push({ id: `endpoints-${target.replaceAll(' ', '-')}`, title: `${target}: requests per second by operation`, mermaid: bar(`${target}, ${unit} by operation`, rows.map((r) => r.endpoint), values, unit) });
  }
  const peers = results.peers ?? [];
  const operations: [string, (p: PeerRow) => ThroughputRow][] = [['session read', (p) => p.read], ['increment', (p) => p.increment]];
  for (const [operation, pick] of peers.length > 0 ? operations : []) {
    const { values, unit } = rps(peers.map((p) => pick(p).requestsPerSecond));
    list.push({ id: `peers-${operation.replace(' ', '-')}`, title: `Stateful ${operation}: the phases beside the common session stacks, ${unit}`, mermaid: bar(`Stateful ${operation}, ${unit}`, peers.map((p) => p.target), values, unit) });
  }
  for (const c of results.capacity) {
    if (c.steps.length === 0) continue;
    list.push({
      id: `capacity-${c.phase}`,
      title: `${c.phase}: p99 session read (ms) as live sessions grow`,
      mermaid: [
        'xychart-beta',
        `  title ${quote(`${c.phase}: p99 read latency by live sessions`)}`,
        `  x-axis [${c.steps.map((s) => quote(s.sessions.toLocaleString('en'))).join(', ')}]`,
        `  y-axis "ms" 0 --> ${Math.max(1, Math.ceil(Math.max(...c.steps.map((s) => s.readP99Ms)) * 1.2))}`,
        `  line [${c.steps.map((s) => s.readP99Ms).join(', ')}]`,
      ].join('\n'),
    });
  }
  const lastShards = results.shards?.at(-1);
  if (lastShards && lastShards.shards.length > 0) {
    list.push({
      id: 'shards-keys',
      title: `Redis Cluster: sessions held by each shard's primary at ${lastShards.sessions.toLocaleString('en')} live sessions`,
      mermaid: bar(`Keys per shard, ${lastShards.sessions.toLocaleString('en')} sessions`, lastShards.shards.map((s) => s.primary), lastShards.shards.map((s) => s.keys), 'keys'),
    });
  }
  for (const f of results.failover) {
    const last = f.timeline.at(-1);
    if (!last) continue;
    const failed = f.timeline.map((t) => t.failed);
    const ok = f.timeline.map((t) => t.ok);
    list.push({
      id: `failover-${f.phase}-${f.fault}`.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      title: `${f.phase}, ${f.fault}: answers per ${TIMELINE_BUCKET_MS} ms (bars: succeeded, line: failed)`,
      mermaid: [
        'xychart-beta',
        `  title ${quote(`${f.phase}: ${f.fault}`)}`,
        `  x-axis "seconds since the load began" 0 --> ${((last.atMs + TIMELINE_BUCKET_MS) / 1000).toFixed(1)}`,
        `  y-axis "answers" 0 --> ${Math.max(1, Math.ceil(Math.max(...ok, ...failed) * 1.1))}`,
        `  bar [${ok.join(', ')}]`,
        `  line [${failed.join(', ')}]`,
      ].join('\n'),
    });
  }
  for (const run of results.cutover ?? []) {
    const last = run.timeline.at(-1);
    if (!last) continue;
    const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);
    const series = [
      `  line [${run.timeline.map((t) => t.share).join(', ')}]`,
      `  line [${run.timeline.map((t) => percent(t.phase2, t.ok + t.failed)).join(', ')}]`,
      `  bar [${run.timeline.map((t) => percent(t.failed, t.ok + t.failed)).join(', ')}]`,
    ];
    // The error-rate trigger's own series, where the run was watched for it.
    if (run.rollback) series.push(`  line [${run.timeline.map((t) => Math.round((t.errorRatio ?? 0) * 1000) / 10).join(', ')}]`);
    list.push({
      id: `cutover-${run.name}`,
      title: `Cutover, ${run.name}: per ${CUTOVER_BUCKET_MS / 1000} s, phase 2's share of users as set (first line), of requests as answered (second line), requests failed (bars)${run.rollback ? ", and phase 2's error rate as the trigger reads it (third line, over 1 minute)" : ''}, in percent`,
      mermaid: [
        'xychart-beta',
        `  title ${quote(`Cutover, ${run.name}${run.rollback ? `: rolled back at ${(run.rollback.atMs / 1000).toFixed(0)} s` : ''}`)}`,
        `  x-axis "seconds since the users started" 0 --> ${((last.atMs + CUTOVER_BUCKET_MS) / 1000).toFixed(0)}`,
        '  y-axis "percent" 0 --> 100',
        ...series,
      ].join('\n'),
    });
  }
  return list;
}
