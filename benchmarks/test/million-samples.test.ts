/**
 * A long run holds millions of samples. Code that spread them into one call's arguments
 * (`Math.max(...samples)`) threw a RangeError past about 100,000 and crashed `npm start` in the
 * cutover scenario; every function that reduces samples is fed a million here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CutoverSample, LoadResult } from 'harness';
import { maxOf, minOf } from '../src/extremes.ts';
import { cutoverTimeline } from '../src/scenarios/cutover.ts';
import { timeline } from '../src/scenarios/failover.ts';
import { headlines } from '../src/headlines.ts';
import { charts } from '../src/report/charts.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { CUTOVER_BUCKET_MS, TIMELINE_BUCKET_MS, type Results, type Round } from '../src/results.ts';

const MILLION = 1_000_000;
const fixture = JSON.parse(readFileSync(new URL('./fixtures/results.json', import.meta.url), 'utf8')) as Results;

describe('the largest and smallest of a list', () => {
  it('are found in lists of any length, with the fallback for an empty one', () => {
    const values = Array.from({ length: MILLION }, (_, i) => (i * 7919) % MILLION);
    // The shape this replaces, shown to fail at this size.
    // eslint-disable-next-line no-restricted-syntax -- the one place the crash is wanted
    expect(() => Math.max(...values)).toThrow(RangeError);
    expect(maxOf(values, -1)).toBe(MILLION - 1);
    expect(minOf(values, -1)).toBe(0);
    expect(maxOf([], -1)).toBe(-1);
    expect(minOf([], 7)).toBe(7);
    expect(maxOf([-5, -2, -9], 0)).toBe(-2);
    expect(minOf([3, 1, 2], 0)).toBe(1);
  });
});

describe('a million samples', () => {
  it('make a cutover timeline with every sample in its second', () => {
    const samples: CutoverSample[] = Array.from({ length: MILLION }, (_, i) => ({ at: i / 10, ms: 1, status: i % 10 === 0 ? 503 : 200, phase: 'phase2' }));
    const buckets = cutoverTimeline({ steps: [{ share: 100, from: 0, to: 1000, check: null }], events: [], readings: [], rollback: null }, samples);
    expect(buckets).toHaveLength(Math.floor(maxOf(samples.map((s) => s.at), 0) / CUTOVER_BUCKET_MS) + 1);
    expect(buckets.reduce((n, b) => n + b.ok + b.failed, 0)).toBe(MILLION);
    expect(buckets.reduce((n, b) => n + b.failed, 0)).toBe(MILLION / 10);
  });

  it('make a failover timeline with every answer in its bucket', () => {
    const results: LoadResult[] = Array.from({ length: MILLION }, (_, i) => ({ atMs: i / 50, method: 'GET', path: '/', status: i % 4 === 0 ? null : 200, servedBy: null, error: null, retried: false }));
    const buckets = timeline(results);
    expect(buckets).toHaveLength(Math.floor((MILLION - 1) / 50 / TIMELINE_BUCKET_MS) + 1);
    expect(buckets.reduce((n, b) => n + b.ok, 0)).toBe((MILLION * 3) / 4);
    expect(buckets.reduce((n, b) => n + b.failed, 0)).toBe(MILLION / 4);
  });

  it('of rounds give headline ratios over their whole range', () => {
    const [stateless] = fixture.throughput.filter((r) => r.endpoint === 'stateless info' && r.target === 'phase2 direct');
    const [bare] = fixture.throughput.filter((r) => r.endpoint === 'stateless info' && r.target === 'baseline-node-http');
    if (!stateless || !bare) throw new Error('the fixture has no stateless rows');
    const rounds = (base: Round, low: number, high: number): Round[] => Array.from({ length: MILLION }, (_, i) => ({ ...base, requestsPerSecond: low + ((high - low) * i) / (MILLION - 1) }));
    const [round] = stateless.rounds;
    if (!round) throw new Error('the fixture has no rounds');
    const many = [{ ...stateless, requestsPerSecond: 150, rounds: rounds(round, 100, 200) }, { ...bare, requestsPerSecond: 300, rounds: rounds(round, 200, 400) }];
    const ratio = headlines(many, [], []).find((h) => h.name === 'phase 2 stateless, direct ÷ bare node:http');
    expect(ratio?.low).toBeCloseTo(100 / 400);
    expect(ratio?.high).toBeCloseTo(200 / 200);
  });

  it('in a failover timeline are charted and written into the report', () => {
    const [row] = fixture.failover;
    if (!row) throw new Error('the fixture has no failover row');
    const long: Results = { ...fixture, failover: [{ ...row, timeline: Array.from({ length: MILLION }, (_, i) => ({ atMs: i * TIMELINE_BUCKET_MS, ok: i % 3, failed: i === MILLION - 1 ? 9 : 0 })) }] };
    const drawn = charts(long).filter((c) => c.section === 'failover');
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.some((c) => c.mermaid.includes('--> 10'))).toBe(true);
    expect(renderMarkdown(long, null)).toContain(row.fault);
  });
});
