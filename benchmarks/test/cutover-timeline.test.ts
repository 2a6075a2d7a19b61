/** The cutover's timeline as the report charts it: one bucket a second, from the users' requests and the triggers' readings. */
import { describe, expect, it } from 'vitest';
import type { CutoverSample, CutoverStage, CutoverTimeline, CutoverUser } from 'harness';
import { cutoverPlan, cutoverRun, cutoverTimeline, plannedFault, runLabel } from '../src/scenarios/cutover.ts';
import { PROFILES } from '../src/profiles.ts';

describe('the cutover timeline', () => {
  it('puts each request in its second, with the share set then and the triggers last read by its end', () => {
    const timeline: CutoverTimeline = {
      steps: [{ share: 10, from: 1500, to: 2600, check: null }, { share: 0, from: 2600, to: 3100, check: null }],
      events: [],
      readings: [{ at: 1200, firing: [], errorRatio: 0.02, p99Ms: 40 }, { at: 2950, firing: ['ErrorRateAbove1Percent'], errorRatio: 0.3, p99Ms: 90 }],
      rollback: { at: 2600, triggers: ['ErrorRateAbove1Percent'] },
    };
    const samples: CutoverSample[] = [
      { at: 100, ms: 3, status: 200, phase: 'phase1' },
      { at: 1700, ms: 3, status: 200, phase: 'phase2' },
      { at: 1800, ms: 3, status: 503, phase: 'phase2' },
      { at: 1900, ms: 3, status: null, phase: null },
      { at: 2950, ms: 3, status: 401, phase: 'phase1' },
    ];
    expect(cutoverTimeline(timeline, samples)).toEqual([
      // Before the first step, and with no reading yet by its end (the first came at 1.2 s).
      { atMs: 0, share: 0, ok: 1, failed: 0, phase2: 0, errorRatio: null, p99Ms: null },
      // The step begun at 1.5 s is not yet the share at 1 s; a 503 and no answer both failed.
      { atMs: 1000, share: 0, ok: 1, failed: 2, phase2: 2, errorRatio: 0.02, p99Ms: 40 },
      // A 4xx is an answer, not a failure of the server.
      { atMs: 2000, share: 10, ok: 1, failed: 0, phase2: 0, errorRatio: 0.3, p99Ms: 90 },
      { atMs: 3000, share: 0, ok: 0, failed: 0, phase2: 0, errorRatio: 0.3, p99Ms: 90 },
    ]);
  });
});

describe('the cutover runs of a profile', () => {
  it('steps forward to 100 %, and breaks the rollback\'s canary until its trigger fires, within a bound', () => {
    const { cutover } = PROFILES.quick;
    expect(cutoverPlan('forward', cutover)).toEqual({ steps: cutover.steps, holdMs: cutover.holdMs, afterRollbackMs: cutover.holdMs, fault: null });
    expect(cutoverPlan('rollback', cutover)).toEqual({ steps: [cutover.canaryShare, 100], holdMs: cutover.rollbackBoundMs, afterRollbackMs: cutover.holdMs, fault: 'PostgreSQL stopped' });
    // The bound outlasts the alert's 30 s `for` and the minute its error rate is taken over.
    expect(cutover.rollbackBoundMs).toBeGreaterThan(90_000);
    expect(PROFILES.smoke.cutover.rollback).toBe(false);
  });
});

describe('a cutover run as results.json keeps it', () => {
  const stage = {} as CutoverStage;

  it('says what each run does, and breaks PostgreSQL in the rollback\'s first step only', () => {
    const { cutover } = PROFILES.quick;
    expect(runLabel('forward', 30, cutoverPlan('forward', cutover))).toBe('forward: 30 users, phase 2 at 10 → 50 → 100 %');
    expect(runLabel('rollback', 30, cutoverPlan('rollback', cutover))).toBe('rollback: 30 users, phase 2 at 30 → 100 %, PostgreSQL stopped in the first step');
    expect(plannedFault(cutoverPlan('forward', cutover), stage)).toBeUndefined();
    expect(plannedFault(cutoverPlan('rollback', cutover), stage)).toMatchObject({ name: 'PostgreSQL stopped', atStep: 0, afterMs: 2000 });
  });

  it('counts the sessions phase 2 answered and the handovers, and keeps the rollback and its triggers', () => {
    const user = (servedBy: ('phase1' | 'phase2')[], moves: number) => ({ servedBy: new Set(servedBy), moves }) as CutoverUser;
    const timeline: CutoverTimeline = {
      steps: [{ share: 50, from: 0, to: 1000, check: null }, { share: 0, from: 1000, to: 2000, check: null }],
      events: [{ at: 1000, what: 'rollback' }],
      readings: [],
      rollback: { at: 1000, triggers: ['ErrorRateAbove1Percent'] },
    };
    const final = { sessions: 3, acknowledged: 9, sessionsLost: 0, acknowledgedLost: 0, unreadable: 0, overCounted: 0 };
    const run = cutoverRun('rollback', [50, 100], 'PostgreSQL stopped', [user(['phase1'], 0), user(['phase1', 'phase2'], 2), user(['phase2', 'phase1'], 1)], [], timeline, final);
    expect(run).toMatchObject({ name: 'rollback', users: 3, moved: 2, handovers: 3, rollback: { atMs: 1000, triggers: ['ErrorRateAbove1Percent'] }, events: [{ atMs: 1000, what: 'rollback' }], final });
    expect(run.steps.map((step) => step.share)).toEqual([50, 0]);
    expect(cutoverRun('forward', [100], null, [], [], { ...timeline, rollback: null }, final).rollback).toBeNull();
  });
});
