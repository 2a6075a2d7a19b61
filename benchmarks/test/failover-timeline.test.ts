/**
 * What the failover scenario makes of the requests it sent: the timeline the report charts, and
 * when a held outage was over. Pure functions over recorded results; the scenario itself runs
 * against the real topology in the smoke run (runner/test/start.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LoadResult } from 'harness';
import { afterOutage, timeline } from '../src/scenarios/failover.ts';
import { TIMELINE_BUCKET_MS } from '../src/results.ts';

const result = (atMs: number, status: number | null): LoadResult => ({ atMs, method: 'GET', path: '/', status, servedBy: null, error: status === null ? 'ECONNRESET' : null, retried: false });

describe('the failover timeline', () => {
  it('counts each bucket\'s answers below 500 as served, and 5xx and no answer as failed, with empty buckets kept', () => {
    const buckets = timeline([result(10, 200), result(20, 401), result(50, 503), result(3 * TIMELINE_BUCKET_MS + 5, null), result(3 * TIMELINE_BUCKET_MS + 6, 200)]);
    expect(buckets).toEqual([
      { atMs: 0, ok: 2, failed: 1 },
      { atMs: TIMELINE_BUCKET_MS, ok: 0, failed: 0 },
      { atMs: 2 * TIMELINE_BUCKET_MS, ok: 0, failed: 0 },
      { atMs: 3 * TIMELINE_BUCKET_MS, ok: 1, failed: 1 },
    ]);
    expect(timeline([])).toEqual([]);
  });
});

describe('when a held outage was over', () => {
  it('is the time to notice the stop, plus the outage, plus the time to serve again', () => {
    expect(afterOutage(900, 1500, 400)).toBe(2800);
  });

  it('is unknown when either end was never seen within its bound', () => {
    expect(afterOutage(null, 1500, 400)).toBeNull();
    expect(afterOutage(900, 1500, null)).toBeNull();
  });
});
