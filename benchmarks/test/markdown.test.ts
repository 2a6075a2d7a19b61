/**
 * report.md from results a full run rarely produces but a partial or a failing one does: figures
 * with a range, no target, a died process, a failover that never recovered, sections not run.
 * Each must print what was measured, or say plainly that nothing was, never a blank or "undefined".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { Headline, Results } from '../src/results.ts';
import { formatHeadline, renderMarkdown } from '../src/report/markdown.ts';
import { charts } from '../src/report/charts.ts';
import { renderHtml } from '../src/report/html.ts';
import { withWhiteGround } from '../src/report/svg.ts';
import { printSummary } from '../src/report/write.ts';
import { phase1Outcome, phase2Outcome } from '../src/scenarios/budget.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/results.json', import.meta.url), 'utf8')) as Results;
const headline = (over: Partial<Headline>): Headline => ({ name: 'h', value: 1, low: 1, high: 1, unit: '×', target: null, better: 'higher', verdict: 'info', explanation: 'why', ...over });

describe('formatHeadline', () => {
  it('prints a ratio with two decimals, and the rounds\' range when they differ', () => {
    expect(formatHeadline(headline({ value: 0.5 }))).toBe('0.50×');
    expect(formatHeadline(headline({ value: 0.5, low: 0.45, high: 0.61 }))).toBe('0.50× (0.45–0.61)');
    expect(formatHeadline(headline({ unit: 'ms', value: 1234.4, low: 1234.4, high: 1234.4 }))).toBe('1,234 ms');
  });
});

describe('how far to trust a figure', () => {
  it("gives the rounds' median and largest spread when there were several rounds, and says nothing of one round", () => {
    const spreads = [0.3, 0.1, 0.2];
    const rows = spreads.map((spread, i) => ({ ...fixture.throughput[0], endpoint: `e${i}`, spread })) as Results['throughput'];
    expect(renderMarkdown({ ...fixture, throughput: rows, load: { ...fixture.load, rounds: 3 } }, null)).toContain('spread by 20.0 % (median) and at most 30.0 %');
    expect(renderMarkdown({ ...fixture, throughput: rows, load: { ...fixture.load, rounds: 1 } }, null)).not.toContain('How far to trust');
  });
});

describe('renderMarkdown of a partial run', () => {
  const partial: Results = { ...fixture, throughput: [], capacity: [], budget: [], failover: [], labCost: null, arrival: [], headlines: [headline({ name: 'only one', target: 0.7, verdict: 'within noise', low: 0.6, high: 0.8 })] };
  const markdown = renderMarkdown(partial, null);

  it('leaves out every section that was not run, and says the seeds\' figures were not measured', () => {
    for (const section of ['## Throughput and latency', '## Open model', '## Session capacity', '## The same memory budget', '## Failover under a steady load', '## What the live lab costs', '## Compared with the previous run']) {
      expect(markdown).not.toContain(section);
    }
    expect(markdown).toContain('| phase 1 throughput | about 100 req/s | not measured |');
    expect(markdown).toContain('| only one | 1.00× (0.60–0.80) | ≥ 0.70× | within noise | why |');
    expect(markdown).not.toMatch(/undefined|NaN/);
  });
});

describe('renderMarkdown of a run where things went wrong', () => {
  const [throughputRow] = fixture.throughput;
  const [capacityRow] = fixture.capacity;
  const [budgetRow] = fixture.budget;
  const [failoverRow] = fixture.failover;
  if (!throughputRow || !capacityRow || !budgetRow || !failoverRow) throw new Error('the fixture has a row of each');
  const results: Results = {
    ...fixture,
    throughput: [{ ...throughputRow, contractSample: { checked: 20, violations: ['a', 'b'] } }, { ...throughputRow, target: 'unsampled', contractSample: { checked: 0, violations: [] } }],
    capacity: [{ ...capacityRow, steps: [{ ...(capacityRow.steps[0] ?? { sessions: 0, memoryBytes: 0, readP50Ms: 0, readP99Ms: 0, createPerSecond: 0, createErrors: 0 }), bytesPerSession: null }] }],
    budget: [{ ...budgetRow, sessionsHeld: 0, outcome: 'out of memory: the process died after about 12,000 sessions' }],
    failover: [{ ...failoverRow, fault: 'never recovered', recoveredAfterMs: null, notes: [], failedByMethod: {}, writes: undefined }],
    headlines: [headline({ name: 'kept', value: 2 }), headline({ name: 'new this run', value: 3, unit: 'requests' })],
  };
  const previous: Results = { ...fixture, startedAt: '2030-05-06T07:08:09.000Z', headlines: [headline({ name: 'kept', value: 1.5 })] };
  const markdown = renderMarkdown(results, previous);

  it('prints the lab\'s cost with a dash where a stage did not measure a target, never a zero', () => {
    const row = (target: string, requestsPerSecond: number) => ({ ...throughputRow, target, requestsPerSecond, p99Ms: 2 });
    const withLab = renderMarkdown({
      ...results,
      labCost: {
        operation: 'stateful read',
        scrapeTargets: 9,
        scrapeIntervalSeconds: 1,
        stages: [
          { name: 'lab off', rows: [row('phase1-mock', 4000), row('phase2 via nginx', 3000)], processes: [] },
          { name: 'monitoring', rows: [row('phase1-mock', 3600)], processes: [{ name: 'prometheus', cpuPercentOfOneCore: 12.5, rssBytes: 64 * 1024 * 1024 }] },
        ],
        crowd: [{ phase: 'phase2-production', users: 18, requestsPerSecond: 30 }],
      },
    }, null);
    expect(withLab).toContain('| phase1-mock | 4,000 | 3,600 | 0.90× | 2.0 | 2.0 |');
    expect(withLab).toContain('| phase2 via nginx | 3,000 | — | — | 2.0 | — |');
    expect(withLab).toContain('measured (share of one core, resident memory): prometheus 12.5 %, 64.0 MiB. Virtual users: 18 on phase2-production sending 30.0 req/s');
  });

  it('counts the contract sample\'s violations, and prints a dash where nothing was sampled', () => {
    expect(markdown).toMatch(/\| 2 of 20 off \|/);
    expect(markdown).toMatch(/\| unsampled \|.*\| — \|\n/);
  });

  it('prints a dash for a per-session figure that could not be computed, and the budget\'s outcome as measured', () => {
    expect(markdown).toMatch(new RegExp(`\\| ${capacityRow.phase} \\| [\\d,]+ \\| [\\d.]+ MiB \\| — \\|`));
    expect(markdown).toContain('out of memory: the process died after about 12,000 sessions');
  });

  it('says a failover did not recover, with dashes for what was not counted', () => {
    expect(markdown).toContain(`| ${failoverRow.phase} | never recovered | ${failoverRow.requests} | ${failoverRow.failed} | — |`);
    expect(markdown).toMatch(/\| — \| — \| — \| did not \|/);
    expect(markdown).toContain(`- ${failoverRow.phase}, never recovered: —`);
  });

  it('compares with the previous run headline by headline, a dash for one it did not have', () => {
    expect(markdown).toContain('## Compared with the previous run (2030-05-06 07:08');
    expect(markdown).toContain('| kept | 1.50× | 2.00× |');
    expect(markdown).toContain('| new this run | — | 3 requests |');
    expect(markdown).not.toMatch(/undefined|NaN/);
  });
});

describe('renderMarkdown of the peers and the cutover where a figure is missing', () => {
  it('prints a dash for a share of nothing and a step without answers, and names a canary without a fault', () => {
    const [peer] = fixture.peers ?? [];
    const [, rollback] = fixture.cutover ?? [];
    if (!peer || !rollback) throw new Error('the fixture has peers and a rollback run');
    const markdown = renderMarkdown({
      ...fixture,
      peers: [{ ...peer, acknowledged: 0, finalValue: 0, lostUpdates: 0 }],
      cutover: [{ ...rollback, fault: null, rollback: null, steps: [{ share: 50, seconds: 1, requests: 0, failures: 0, p99Ms: null, servedByPhase2: 0, sessionsLost: 0, acknowledgedLost: 0 }] }],
    }, null);
    expect(markdown).toContain(`| ${peer.target} | ${peer.read.requestsPerSecond.toLocaleString('en', { maximumFractionDigits: 0 })} |`);
    expect(markdown).toContain('| 0 | 0 | 0 (—) |');
    expect(markdown).toContain('### Rollback: a canary with no fault');
    expect(markdown).toContain('| 50 % | 1.0 | 0 | 0 | — | 0.0 % | 0 | 0 |');
    expect(markdown).toContain('No trigger fired.');
  });
});

describe('the summary printed at the end of a run', () => {
  it('prints each headline with its target and verdict, as the report does', () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => { printed.push(line); });
    try {
      printSummary({ ...fixture, headlines: [headline({ name: 'ratio', value: 0.8, target: 0.7, verdict: 'met' }), headline({ name: 'lost', unit: 'requests', value: 0, target: 0, better: 'lower', verdict: 'met' })] });
    } finally {
      log.mockRestore();
    }
    expect(printed).toContain('| ratio | 0.80× | ≥ 0.70× | met |');
    expect(printed).toContain('| lost | 0 requests | ≤ 0 requests | met |');
  });
});

describe('charts of a partial run', () => {
  it('draws no chart for a capacity run with no step, a failover or a cutover with no timeline, or no peers', () => {
    const [capacityRow] = fixture.capacity;
    const [failoverRow] = fixture.failover;
    if (!capacityRow || !failoverRow) throw new Error('the fixture has a row of each');
    const [cutoverRun] = fixture.cutover ?? [];
    if (!cutoverRun) throw new Error('the fixture has a cutover run');
    const list = charts({ ...fixture, throughput: [], capacity: [{ ...capacityRow, steps: [] }], failover: [{ ...failoverRow, timeline: [] }], cutover: [{ ...cutoverRun, timeline: [] }], peers: [], arrival: [], sweep: [] });
    expect(list).toEqual([]);
  });
});

describe('charts of a run made before the peers and the cutover existed', () => {
  it('draws neither, and a cutover second without answers as 0 %, not a division by zero', () => {
    const { peers: _peers, cutover: _cutover, ...older } = fixture;
    expect(charts(older).some((c) => c.id.startsWith('peers-') || c.id.startsWith('cutover-'))).toBe(false);
    const [run] = fixture.cutover ?? [];
    if (!run) throw new Error('the fixture has a cutover run');
    const quiet = charts({ ...fixture, cutover: [{ ...run, rollback: null, timeline: [{ atMs: 0, share: 50, ok: 0, failed: 0, phase2: 0, errorRatio: null, p99Ms: null }] }] }).find((c) => c.id === 'cutover-forward');
    expect(quiet?.mermaid).toContain('line [0]');
    expect(quiet?.mermaid).toContain('bar [0]');
  });
});

describe('the memory budget\'s outcome, in words', () => {
  it('says whether phase 1 died, and of what, or that it was not pushed that far', () => {
    expect(phase1Outcome({ died: true, outOfMemory: true, held: 25_000 })).toBe('out of memory: the process died after about 25,000 sessions, and every session with it');
    expect(phase1Outcome({ died: true, outOfMemory: false, held: 10 })).toBe('the process died after about 10 sessions, and every session with it');
    expect(phase1Outcome({ died: false, outOfMemory: false, held: 8_000 })).toBe('still running at 8,000 sessions (the budget was not reached)');
  });

  it('says what Redis evicted at its limit, or that it was not reached', () => {
    expect(phase2Outcome({ evicted: 33_718, live: 126_282, made: 160_000 })).toBe('kept serving; at the limit it holds about 126,282 sessions and evicted the 33,718 least recently used');
    expect(phase2Outcome({ evicted: 0, live: 8_000, made: 8_000 })).toBe('no eviction after 8,000 sessions (the budget was not reached)');
  });
});

describe('the page around the charts', () => {
  it('gives every chart a white ground, whether Mermaid wrote a style or not, and leaves what is not an SVG alone', () => {
    expect(withWhiteGround('<svg id="a" style="max-width: 10px"><g/></svg>')).toBe('<svg id="a" style="background-color: white; max-width: 10px"><g/></svg>');
    expect(withWhiteGround('<svg id="a"><g/></svg>')).toBe('<svg style="background-color: white;" id="a"><g/></svg>');
    expect(withWhiteGround('not an svg')).toBe('not an svg');
  });

  it('puts each rendered chart where its block was, an empty frame for one that did not render, and titles the page from the report', () => {
    const legend = [{ label: 'phase <2>', colour: '#0072B2', colourName: 'blue' }];
    const html = renderHtml('# The title\n\n```mermaid\nA\n```\n\n*Legend:* blue: phase <2>\n\n```mermaid\nB\n```\n', [{ svg: '<svg>one</svg>', legend }]);
    expect(html).toContain('<title>The title</title>');
    // The legend in words becomes one in colour, its names escaped.
    expect(html).toContain('<div class="chart"><svg>one</svg><ul class="legend" aria-label="Legend"><li><span class="swatch" style="background: #0072B2"></span>phase &lt;2&gt;</li></ul></div>');
    expect(html).not.toContain('*Legend:*');
    expect(html).toContain('<div class="chart"></div>');
    expect(renderHtml('no heading', [])).toContain('<title>Benchmark report</title>');
  });
});

describe('the sessions across shards', () => {
  const step = (sessions: number, keys: number[]) => ({
    sessions,
    shards: keys.map((k, i) => ({ primary: `redis-${i + 1}`, slots: [5461, 5462, 5461][i] ?? 0, keys: k, usedMemoryBytes: 2_000_000 + k * 300, grownBytes: k * 300 })),
    readP99Ms: 2.5,
    createPerSecond: 1800,
    createErrors: 0,
  });

  it('print each shard\'s share of the keys and its memory, and chart the last step', () => {
    const results: Results = { ...fixture, shards: [step(0, [0, 0, 0]), step(3000, [900, 1100, 1000])] };
    const markdown = renderMarkdown(results, null);
    expect(markdown).toContain('## Sessions across shards: phase 2 on a Redis Cluster');
    expect(markdown).toContain('| 3,000 | redis-2 | 5,462 | 1,100 | 36.7 % | 2.2 MiB | 0.3 MiB | 2.5 | 1,800 | 0 |');
    // No keys yet: no share to print.
    expect(markdown).toContain('| 0 | redis-1 | 5,461 | 0 | — |');
    expect(markdown).not.toMatch(/undefined|NaN/);
    const chart = charts(results).find((c) => c.id === 'shards-keys');
    expect(chart?.mermaid).toContain('bar [900, 1100, 1000]');
    expect(chart?.mermaid).toContain('x-axis ["redis-1", "redis-2", "redis-3"]');
    expect(chart?.legend.map((l) => l.label)).toEqual(['keys (bars)']);
    expect(chart?.title).toContain('3,000 live sessions');
  });

  it('are left out of a run made before the cluster existed', () => {
    const { shards: _shards, ...older } = { ...fixture, shards: [] };
    expect(renderMarkdown(older, null)).not.toContain('## Sessions across shards');
    expect(charts(older).some((c) => c.id === 'shards-keys')).toBe(false);
  });
});
