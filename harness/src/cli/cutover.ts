/**
 * `npm run cutover [-- --steps 10,50,100] [--hold 20] [--users 40] [--think 20] [--instances 2]
 *                  [--fault stop-postgres] [--fault-step 0] [--fault-after 3]
 *                  [--after-rollback 10] [--json FILE]`
 *
 * The cutover from phase 1 to phase 2, live: both phases behind one nginx (one URL), Prometheus
 * watching the rollback triggers, virtual users each changing a session of their own. Phase 2's
 * share goes up step by step (each held `--hold` seconds, then every counter read back); a firing
 * trigger rolls everyone back to phase 1. `--fault` breaks phase 2 during a step, to see the
 * rollback. Prints each step's requests, failures, p99 and losses; exits 1 if anything the users
 * were told happened was lost. docs/decisions/0011-cutover-by-lazy-handover.md says how it works.
 */
import { writeFileSync } from 'node:fs';
import { parseCommandLine, usageError } from './command-line.ts';
import { Cleanup } from '../cleanup.ts';
import { SIGN_IN_LIMITS_OFF, prometheusTriggers, runCutover, startCutoverStage, startCutoverUsers, summarizeSteps, type CutoverStage, type PlannedFault } from '../cutover.ts';
import { checkAcknowledged } from '../load.ts';
import { startMonitoring } from '../lab/lab.ts';
import * as faults from '../faults.ts';
import { describeError } from '../errors.ts';

const FAULTS: Record<string, (stage: CutoverStage) => Pick<PlannedFault, 'inject' | 'heal'>> = {
  'stop-postgres': (stage) => ({ inject: () => faults.stopPostgres(stage.topology), heal: () => faults.startPostgres(stage.topology) }),
};

const USAGE = 'usage: npm run cutover -- [--steps 10,50,100] [--hold SECONDS] [--users N] [--think MS] [--instances N] [--fault stop-postgres --fault-step I --fault-after SECONDS] [--after-rollback SECONDS] [--json FILE]';
const { values } = parseCommandLine('cutover', USAGE, {
  options: {
    steps: { type: 'string', default: '10,50,100' },
    hold: { type: 'string', default: '20' },
    users: { type: 'string', default: '40' },
    think: { type: 'string', default: '20' },
    instances: { type: 'string', default: '2' },
    fault: { type: 'string' },
    'fault-step': { type: 'string', default: '0' },
    'fault-after': { type: 'string', default: '3' },
    'after-rollback': { type: 'string', default: '10' },
    json: { type: 'string' },
  },
});

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    usageError('cutover', `--${name} takes a whole number from ${min} to ${max}, not ${text}`, USAGE);
  }
  return value;
}

const steps = values.steps.split(',').map((step) => wholeNumber('steps', step, 1, 100));
const holdMs = wholeNumber('hold', values.hold, 1, 3600) * 1000;
const userCount = wholeNumber('users', values.users, 1, 1000);
const thinkMs = wholeNumber('think', values.think, 0, 60_000);
const instances = wholeNumber('instances', values.instances, 1, 16);
const faultStep = wholeNumber('fault-step', values['fault-step'], 0, steps.length - 1);
const faultAfterMs = wholeNumber('fault-after', values['fault-after'], 0, 3600) * 1000;
const afterRollbackMs = wholeNumber('after-rollback', values['after-rollback'], 1, 3600) * 1000;
const faultName = values.fault;
if (faultName !== undefined && !(faultName in FAULTS)) {
  usageError('cutover', `--fault takes ${Object.keys(FAULTS).join(' or ')}, not ${faultName}`, USAGE);
}

const cleanup = new Cleanup();
Cleanup.stopEverythingOnExit();
try {
  const stage = await startCutoverStage(cleanup, { instances, env: SIGN_IN_LIMITS_OFF });
  console.log(`public entry: ${stage.url} (phase 1 ${stage.phase1.url}, phase 2 ${stage.topology.instances.map((i) => i.url).join(', ')})`);
  const monitoring = await startMonitoring(cleanup, { phase1Url: stage.phase1.url, topology: stage.topology });
  console.log(`prometheus: ${monitoring.prometheus.url}/alerts (the rollback triggers)`);
  const t0 = performance.now();
  const users = await startCutoverUsers(stage.url, userCount, t0, { pauseMs: thinkMs });
  console.log(`${userCount} users, each with a session on phase 1; phase 2's share goes ${steps.join(' → ')} %, ${holdMs / 1000} s a step`);
  const fault = faultName === undefined ? undefined : { name: faultName, atStep: faultStep, afterMs: faultAfterMs, ...(FAULTS[faultName] as (stage: CutoverStage) => Pick<PlannedFault, 'inject' | 'heal'>)(stage) };
  const timeline = await runCutover(stage, users, { steps, holdMs, afterRollbackMs, ...(fault ? { fault } : {}) }, prometheusTriggers(monitoring.prometheus.url, () => users.users), t0, (line) => { console.log(line); });
  await users.stop();
  const final = await checkAcknowledged(stage.url, users.users.map((user) => user.tally));
  const summary = summarizeSteps(timeline, users.samples);

  console.log('\nstep (phase 2 %) | seconds | requests | failures | p99 ms | answered by phase 2 | sessions lost | acknowledged lost');
  for (const step of summary) {
    console.log(`${String(step.share).padStart(16)} | ${String(step.seconds).padStart(7)} | ${String(step.requests).padStart(8)} | ${String(step.failures).padStart(8)} | ${step.p99Ms === null ? '     —' : step.p99Ms.toFixed(1).padStart(6)} | ${`${step.servedByPhase2} %`.padStart(19)} | ${String(step.sessionsLost).padStart(13)} | ${String(step.acknowledgedLost).padStart(17)}`);
  }
  const moved = users.users.filter((user) => user.servedBy.has('phase2')).length;
  const handovers = users.users.reduce((sum, user) => sum + user.moves, 0);
  console.log(`\n${timeline.rollback ? `rolled back at ${(timeline.rollback.at / 1000).toFixed(1)} s (${timeline.rollback.triggers.join(', ')})` : 'no rollback'}; ${moved} of ${userCount} sessions were answered by phase 2 at some point; ${handovers} handovers between the phases`);
  console.log(`read back at the end (phase 2 at ${stage.share()} %): ${final.acknowledged} increments acknowledged, ${final.sessionsLost} sessions lost, ${final.acknowledgedLost} acknowledged lost, ${final.unreadable} unreadable, ${final.overCounted} over-counted`);
  for (const detail of final.details) console.log(`  ${detail}`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ steps: summary, timeline, final, moved, handovers }, null, 2)}\n`);
  await cleanup.run();
  process.exit(final.sessionsLost + final.acknowledgedLost + final.unreadable + final.overCounted === 0 ? 0 : 1);
} catch (error) {
  console.error(`cutover: ${describeError(error)}`);
  await cleanup.run();
  process.exit(1);
}
