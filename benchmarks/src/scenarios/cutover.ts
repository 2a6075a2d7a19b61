/**
 * Scenario 5, the cutover under the steady stateful load (harness/src/cutover.ts, the same code as
 * `npm run cutover`): both phases behind one nginx, every virtual user with a session of its own.
 * Forward: phase 2's share stepped up to 100 %, each step ending with every counter read back.
 * Rollback: the same start, PostgreSQL stopped during the first step, Prometheus's error-rate
 * trigger sending everyone back to phase 1; then the sessions phase 2 held move back.
 */
import { Cleanup, SIGN_IN_LIMITS_OFF, checkAcknowledged, faults, prometheusTriggers, runCutover, startCutoverStage, startCutoverUsers, startMonitoring, summarizeSteps, type CutoverStage, type CutoverTimeline, type CutoverUser, type CutoverSample, type PlannedFault } from 'harness';
import { maxOf } from '../extremes.ts';
import type { Profile } from '../profiles.ts';
import { CUTOVER_BUCKET_MS, type CutoverRun } from '../results.ts';

/** The run's seconds, each with the share set then, its answers, and the triggers' last reading. */
export function cutoverTimeline(timeline: CutoverTimeline, samples: readonly CutoverSample[]): CutoverRun['timeline'] {
  const end = Math.max(0, maxOf(samples.map((s) => s.at), 0), maxOf(timeline.steps.map((s) => s.to), 0));
  const buckets: CutoverRun['timeline'] = [];
  for (let atMs = 0; atMs <= end; atMs += CUTOVER_BUCKET_MS) {
    // Before the first step phase 2 answers nobody; afterwards, the last step begun by then.
    const share = timeline.steps.filter((step) => step.from <= atMs).at(-1)?.share ?? 0;
    const reading = timeline.readings.filter((r) => r.at <= atMs + CUTOVER_BUCKET_MS).at(-1);
    buckets.push({ atMs, share, ok: 0, failed: 0, phase2: 0, errorRatio: reading?.errorRatio ?? null, p99Ms: reading?.p99Ms ?? null });
  }
  for (const sample of samples) {
    const bucket = buckets[Math.floor(sample.at / CUTOVER_BUCKET_MS)];
    if (!bucket) continue;
    if (sample.status === null || sample.status >= 500) bucket.failed += 1;
    else bucket.ok += 1;
    if (sample.phase === 'phase2') bucket.phase2 += 1;
  }
  return buckets;
}

/** A run's figures for results.json, from what the users saw, the timeline and the final read-back. */
export function cutoverRun(name: CutoverRun['name'], planned: number[], fault: string | null, users: readonly CutoverUser[], samples: readonly CutoverSample[], timeline: CutoverTimeline, final: CutoverRun['final']): CutoverRun {
  return {
    name,
    users: users.length,
    planned,
    fault,
    steps: summarizeSteps(timeline, samples),
    rollback: timeline.rollback ? { atMs: timeline.rollback.at, triggers: timeline.rollback.triggers } : null,
    events: timeline.events.map((e) => ({ atMs: e.at, what: e.what })),
    timeline: cutoverTimeline(timeline, samples),
    final,
    moved: users.filter((user) => user.servedBy.has('phase2')).length,
    handovers: users.reduce((sum, user) => sum + user.moves, 0),
  };
}

/** What each run does: forward steps up to 100 %; the rollback's canary, broken, lasts until its trigger fires (bounded). */
export function cutoverPlan(name: CutoverRun['name'], options: Profile['cutover']): { steps: number[]; holdMs: number; afterRollbackMs: number; fault: string | null } {
  if (name === 'forward') return { steps: options.steps, holdMs: options.holdMs, afterRollbackMs: options.holdMs, fault: null };
  // The alert wants 30 s of errors over a 1-minute window before it fires.
  return { steps: [options.canaryShare, 100], holdMs: options.rollbackBoundMs, afterRollbackMs: options.holdMs, fault: 'PostgreSQL stopped' };
}

type Plan = ReturnType<typeof cutoverPlan>;

export function runLabel(name: CutoverRun['name'], users: number, plan: Plan): string {
  return `${name}: ${users} users, phase 2 at ${plan.steps.join(' → ')} %${plan.fault ? `, ${plan.fault} in the first step` : ''}`;
}

/** The plan's fault, acting on this stage's PostgreSQL two seconds into the first step; none for a forward run. */
export function plannedFault(plan: Plan, stage: CutoverStage): PlannedFault | undefined {
  if (plan.fault === null) return undefined;
  return { name: plan.fault, atStep: 0, afterMs: 2000, inject: () => faults.stopPostgres(stage.topology), heal: () => faults.startPostgres(stage.topology) };
}

async function oneRun(stage: CutoverStage, prometheusUrl: string, name: CutoverRun['name'], options: Profile['cutover'], progress: (label: string) => void): Promise<CutoverRun> {
  await stage.setShare(0);
  const t0 = performance.now();
  const users = await startCutoverUsers(stage.url, options.users, t0);
  const plan = cutoverPlan(name, options);
  progress(runLabel(name, options.users, plan));
  const fault = plannedFault(plan, stage);
  const timeline = await runCutover(stage, users, { steps: plan.steps, holdMs: plan.holdMs, afterRollbackMs: plan.afterRollbackMs, fault }, prometheusTriggers(prometheusUrl, () => users.users), t0);
  await users.stop();
  const { details: _details, ...final } = await checkAcknowledged(stage.url, users.users.map((user) => user.tally));
  return cutoverRun(name, plan.steps, plan.fault, users.users, users.samples, timeline, final);
}

export async function runCutoverScenario(options: Profile['cutover'], progress: (label: string) => void): Promise<CutoverRun[]> {
  const cleanup = new Cleanup();
  try {
    const stage = await startCutoverStage(cleanup, { instances: 2, env: SIGN_IN_LIMITS_OFF });
    const monitoring = await startMonitoring(cleanup, { phase1Url: stage.phase1.url, topology: stage.topology });
    const runs = [await oneRun(stage, monitoring.prometheus.url, 'forward', options, progress)];
    if (options.rollback) runs.push(await oneRun(stage, monitoring.prometheus.url, 'rollback', options, progress));
    return runs;
  } finally {
    await cleanup.run();
  }
}
