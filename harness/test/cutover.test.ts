/**
 * The cutover's rollback on real processes (docs/decisions/0011-cutover-by-lazy-handover.md), as
 * the docs quote `npm run cutover`: phase 1 and phase 2 (two instances, Redis, PostgreSQL) behind
 * one nginx, Prometheus watching the rollback triggers, virtual users each changing a session of
 * their own, and a canary broken on purpose (PostgreSQL stopped) that the error-rate trigger rolls
 * back. Nothing the users were told happened may be missing when their counters are read back. The
 * forward cutover on real processes is `npm start`'s (runner/test/start.test.ts, the smoke profile's
 * cutover scenario), which runs the same harness/src/cutover.ts.
 *
 * Its own lane in `npm test` (scripts/coverage/run.ts): most of its time is spent waiting for the
 * alert, which fires after 30 s of errors, so it runs beside the other lanes rather than after them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.ts';
import type { CutoverTimeline, StepSummary } from '../src/cutover.ts';
import type { DurabilityCheck } from '../src/load.ts';

describe('npm run cutover -- --steps 50,100 --hold 90 --users 10 --think 200 --instances 2 --fault stop-postgres --fault-step 0 --fault-after 2 --after-rollback 5 --json FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-cutover-'));
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('rolls a broken canary back when the error-rate trigger fires; the sessions it held move back, nothing lost', async () => {
    const file = join(dir, 'cutover.json');
    // Half the users on the canary: some land there whatever the split (all ten on phase 1: 1 in 1,024).
    const args = ['run', 'cutover', '--', '--steps', '50,100', '--hold', '90', '--users', '10', '--think', '200', '--instances', '2', '--fault', 'stop-postgres', '--fault-step', '0', '--fault-after', '2', '--after-rollback', '5', '--json', file];
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
    expect(result.steps.map((step) => step.share)).toEqual([50, 0]);
    expect(result.steps[0]?.failures).toBeGreaterThan(0);
    // The error rate was read over time, and crossed the plan's 1 % before the rollback.
    expect(result.timeline.readings.some((reading) => (reading.errorRatio ?? 0) > 0.01 && reading.at <= (result.timeline.rollback?.at ?? 0))).toBe(true);
    expect(result.moved).toBeGreaterThan(0);
    // Users saw their sessions change phase. Not necessarily twice each: a user still waiting out a
    // 503's Retry-After on phase 2 when the rollback came may get no answer from phase 1 before the
    // users stop (one run: 3 moved, 5 changes seen), and a user whose first answer came after the
    // canary began saw no change on the way there. The way back is proven by the read below.
    expect(result.handovers).toBeGreaterThan(0);
    // Read back with everyone on phase 1, so a session phase 2 still held was taken back on its read.
    expect(result.final.details).toEqual([]);
    expect(result.final).toMatchObject({ sessions: 10, sessionsLost: 0, unreadable: 0, acknowledgedLost: 0, overCounted: 0 });
    for (const step of result.steps) expect(step).toMatchObject({ sessionsLost: 0, acknowledgedLost: 0 });
  }, 300_000);
});

describe('npm run cutover with flags it cannot take', () => {
  it('refuses them before starting anything (exit 2), saying what each takes', () => {
    for (const [flags, message] of [
      [['--steps', '10,0'], '--steps takes a whole number from 1 to 100, not 0'],
      [['--hold', 'soon'], '--hold takes a whole number from 1 to 3600, not soon'],
      [['--fault', 'unplug-everything'], '--fault takes stop-postgres, not unplug-everything'],
      [['--steps', '10,50', '--fault-step', '2'], '--fault-step takes a whole number from 0 to 1, not 2'],
    ] as const) {
      const run = spawnSync('npm', ['run', 'cutover', '--', ...flags], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});
