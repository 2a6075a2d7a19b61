/**
 * The cutover on real processes (docs/decisions/0011-cutover-by-lazy-handover.md): phase 1 and
 * phase 2 (two instances, Redis, PostgreSQL) behind one nginx, Prometheus watching the rollback
 * triggers, virtual users each changing a session of their own. Forward from 0 to 100 %; then, as
 * the docs quote it, `npm run cutover` with a canary broken on purpose (PostgreSQL stopped) that
 * the error-rate trigger rolls back. Nothing the users were told happened may be missing when their
 * counters are read back.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { repoRoot } from '../src/paths.ts';
import { SIGN_IN_LIMITS_OFF, prometheusTriggers, runCutover, startCutoverStage, startCutoverUsers, summarizeSteps, type CutoverStage, type CutoverTimeline, type StepSummary } from '../src/cutover.ts';
import type { DurabilityCheck } from '../src/load.ts';
import { checkAcknowledged } from '../src/load.ts';
import { startMonitoring, type RunningMonitoring } from '../src/lab/lab.ts';

async function liveSessions(url: string): Promise<number> {
  return ((await (await fetch(`${url}/api/stateful/stats`)).json()) as { liveSessions: number }).liveSessions;
}

describe('the cutover from phase 1 to phase 2', () => {
  const cleanup = new Cleanup();
  let stage: CutoverStage;
  let monitoring: RunningMonitoring;
  beforeAll(async () => {
    stage = await startCutoverStage(cleanup, { instances: 2, env: SIGN_IN_LIMITS_OFF });
    monitoring = await startMonitoring(cleanup, { phase1Url: stage.phase1.url, topology: stage.topology });
  });
  afterAll(() => cleanup.run());

  it('moves every user to phase 2 in steps, signing nobody out and losing no acknowledged change', async () => {
    const t0 = performance.now();
    const users = await startCutoverUsers(stage.url, 30, t0);
    expect(await liveSessions(stage.phase1.url)).toBe(30);
    const timeline = await runCutover(stage, users, { steps: [10, 50, 100], holdMs: 5000 }, prometheusTriggers(monitoring.prometheus.url, () => users.users), t0);
    await users.stop();
    expect(timeline.rollback).toBeNull();

    const steps = summarizeSteps(timeline, users.samples);
    expect(steps.map((step) => step.share)).toEqual([10, 50, 100]);
    for (const step of steps) expect({ share: step.share, sessionsLost: step.sessionsLost, acknowledgedLost: step.acknowledgedLost }).toEqual({ share: step.share, sessionsLost: 0, acknowledgedLost: 0 });
    expect(steps[0]?.servedByPhase2).toBeLessThan(50);
    expect(steps[2]?.servedByPhase2).toBe(100);

    const final = await checkAcknowledged(stage.url, users.users.map((user) => user.tally));
    expect(final.details).toEqual([]);
    expect(final).toMatchObject({ sessions: 30, sessionsLost: 0, unreadable: 0, acknowledgedLost: 0, overCounted: 0 });
    expect(final.acknowledged).toBeGreaterThan(30);
    // Every user started on phase 1 and was answered by phase 2 by the end: each session moved.
    expect(users.users.filter((user) => user.servedBy.has('phase1') && user.servedBy.has('phase2'))).toHaveLength(30);
    expect(users.users.filter((user) => user.lost)).toHaveLength(0);
    // Once each: at 100 % nobody goes back.
    expect(users.users.map((user) => user.moves)).toEqual(users.users.map(() => 1));
    // Phase 1 keeps tombstones, not sessions: it serves none of them any more.
    expect(await liveSessions(stage.phase1.url)).toBe(0);
  }, 180_000);
});

describe('npm run cutover -- --steps 30,100 --hold 90 --users 20 --instances 2 --fault stop-postgres --fault-step 0 --fault-after 2 --after-rollback 5 --json FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-cutover-'));
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('rolls a broken canary back when the error-rate trigger fires; the sessions it held move back, nothing lost', async () => {
    const file = join(dir, 'cutover.json');
    const args = ['run', 'cutover', '--', '--steps', '30,100', '--hold', '90', '--users', '20', '--instances', '2', '--fault', 'stop-postgres', '--fault-step', '0', '--fault-after', '2', '--after-rollback', '5', '--json', file];
    const child = spawn('npm', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(/fault: stop-postgres/);
    expect(output).toMatch(/rollback: .*ErrorRateAbove1Percent.* firing; phase 2 answers 0 % of users/);

    const result = JSON.parse(readFileSync(file, 'utf8')) as { steps: StepSummary[]; timeline: CutoverTimeline; final: DurabilityCheck; moved: number; handovers: number };
    expect(result.timeline.rollback?.triggers).toContain('ErrorRateAbove1Percent');
    // The canary never reached its second step; the users went on at 0 % while their sessions moved back.
    expect(result.steps.map((step) => step.share)).toEqual([30, 0]);
    expect(result.steps[0]?.failures).toBeGreaterThan(0);
    // The error rate was read over time, and crossed the plan's 1 % before the rollback.
    expect(result.timeline.readings.some((reading) => (reading.errorRatio ?? 0) > 0.01 && reading.at <= (result.timeline.rollback?.at ?? 0))).toBe(true);
    expect(result.moved).toBeGreaterThan(0);
    // Each session that went to phase 2 came back: there and back again.
    expect(result.handovers).toBeGreaterThanOrEqual(2 * result.moved);
    // Read back with everyone on phase 1, so a session phase 2 still held was taken back on its read.
    expect(result.final.details).toEqual([]);
    expect(result.final).toMatchObject({ sessions: 20, sessionsLost: 0, unreadable: 0, acknowledgedLost: 0, overCounted: 0 });
    for (const step of result.steps) expect(step).toMatchObject({ sessionsLost: 0, acknowledgedLost: 0 });
  }, 300_000);
});
