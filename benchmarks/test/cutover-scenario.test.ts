/**
 * The benchmark's cutover scenario forward, on real processes: both phases behind one nginx,
 * Prometheus watching the rollback triggers, ten users each changing a session of their own while
 * phase 2's share goes 50 → 100 %. Every user must end on phase 2 with nothing it was told lost.
 * (The rollback, with PostgreSQL stopped, is harness/test/cutover.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { runCutoverScenario } from '../src/scenarios/cutover.ts';

describe('the cutover scenario, forward', () => {
  it('moves every user to phase 2 in steps, signing nobody out and losing no acknowledged change', async () => {
    const labels: string[] = [];
    const runs = await runCutoverScenario({ users: 10, steps: [50, 100], holdMs: 2000, rollback: false, canaryShare: 0, rollbackBoundMs: 0 }, (label) => { labels.push(label); });
    expect(labels).toEqual(['forward: 10 users, phase 2 at 50 → 100 %']);
    const [forward] = runs;
    expect(runs.map((run) => run.name)).toEqual(['forward']);
    expect(forward?.rollback).toBeNull();
    expect(forward?.steps.map((step) => [step.share, step.sessionsLost, step.acknowledgedLost])).toEqual([[50, 0, 0], [100, 0, 0]]);
    expect(forward?.final).toMatchObject({ sessions: 10, sessionsLost: 0, acknowledgedLost: 0, unreadable: 0, overCounted: 0 });
    expect(forward?.final.acknowledged).toBeGreaterThan(10);
    // Each user started on phase 1 and was answered by phase 2: ten sessions moved, once each.
    expect(forward?.moved).toBe(10);
    expect(forward?.handovers).toBe(10);
    const inSteps = forward?.steps.reduce((n, step) => n + step.requests, 0) ?? 0;
    expect(inSteps).toBeGreaterThan(0);
    expect(forward?.timeline.reduce((n, t) => n + t.ok + t.failed, 0)).toBeGreaterThanOrEqual(inSteps);
  }, 180_000);
});
