/** Each cutover step's figures, from the users' requests: what `npm run cutover` prints and the report tabulates. */
import { describe, expect, it } from 'vitest';
import { summarizeSteps, type CutoverSample, type CutoverTimeline } from '../src/cutover.ts';
import type { DurabilityCheck } from '../src/load.ts';

const check = (sessionsLost: number, acknowledgedLost: number): DurabilityCheck => ({ sessions: 2, sessionsLost, unreadable: 0, acknowledged: 10, acknowledgedLost, overCounted: 0, details: [] });

describe('a cutover step\'s summary', () => {
  it('counts requests by when they were sent, failures as 5xx or no answer, the p99, the share phase 2 answered, and the read-back\'s losses', () => {
    const timeline: CutoverTimeline = {
      steps: [{ share: 50, from: 0, to: 1000, check: check(0, 0) }, { share: 100, from: 1000, to: 2500, check: check(1, 3) }, { share: 0, from: 2500, to: 3000, check: null }],
      events: [],
      readings: [],
      rollback: null,
    };
    const samples: CutoverSample[] = [
      { at: 10, ms: 4, status: 200, phase: 'phase1' },
      { at: 20, ms: 8, status: 503, phase: 'phase2' },
      { at: 999, ms: 100, status: null, phase: null },
      { at: 1000, ms: 2, status: 401, phase: 'phase2' },
      // Sent after the last step ended: in none.
      { at: 3000, ms: 1, status: 200, phase: 'phase1' },
    ];
    expect(summarizeSteps(timeline, samples)).toEqual([
      { share: 50, seconds: 1, requests: 3, failures: 2, p99Ms: 100, servedByPhase2: 50, sessionsLost: 0, acknowledgedLost: 0 },
      { share: 100, seconds: 1.5, requests: 1, failures: 0, p99Ms: 2, servedByPhase2: 100, sessionsLost: 1, acknowledgedLost: 3 },
      // No request in it: no p99, no share, and no read-back (a step cut short by a rollback).
      { share: 0, seconds: 0.5, requests: 0, failures: 0, p99Ms: null, servedByPhase2: 0, sessionsLost: 0, acknowledgedLost: 0 },
    ]);
  });
});
