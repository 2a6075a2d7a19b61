/** One benchmark run: the environment up, the chosen scenarios, every figure into Results. */
import { responseValidator } from 'contract';
import { startEnvironment, type Environment } from './environment.ts';
import { headlines } from './headlines.ts';
import { describeMachine } from './machine.ts';
import type { Profile } from './profiles.ts';
import type { FailedScenario, Results } from './results.ts';
import { describeError } from 'harness';
import { runSweep, runThroughput } from './scenarios/throughput.ts';
import { runCapacity } from './scenarios/capacity.ts';
import { runBudget } from './scenarios/budget.ts';
import { runFailover } from './scenarios/failover.ts';
import { runLabCost } from './scenarios/lab-cost.ts';
import { runCutoverScenario } from './scenarios/cutover.ts';
import { runPeers } from './scenarios/peers.ts';
import { runShards } from './scenarios/shards.ts';
import { runArrival } from './scenarios/arrival.ts';

export const SCENARIOS = ['throughput', 'peers', 'arrival', 'capacity', 'failover', 'lab', 'cutover'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Prints which scenario and phase run, and roughly how much of the run is left. */
export function progressPrinter(total: number): (scenario: string) => (label: string) => void {
  const started = performance.now();
  let done = 0;
  return (scenario) => (label) => {
    done += 1;
    const elapsed = (performance.now() - started) / 1000;
    const left = done > 1 ? Math.max(0, (elapsed / (done - 1)) * (total - done + 1)) : null;
    console.log(`[bench] ${scenario}: ${label}  (${Math.round(elapsed)} s${left === null ? '' : `, about ${Math.round(left)} s left`})`);
  };
}

type Measured = Pick<Results, 'throughput' | 'capacity' | 'budget' | 'failover' | 'labCost'> & Required<Pick<Results, 'cutover' | 'peers' | 'shards' | 'arrival' | 'sweep'>>;

/** Each scenario: how many progress lines it prints, and what it measures into the results. */
const RUNNERS: Record<Scenario, { steps(profile: Profile): number; run(env: Environment, profile: Profile, into: Measured, progress: (label: string) => void): Promise<void> }> = {
  throughput: {
    steps: () => 24,
    run: async (env, profile, into, progress) => {
      into.throughput = await runThroughput(env, profile.load, responseValidator(), progress);
      into.sweep = await runSweep(env, profile.load, profile.sweepConnections, progress);
    },
  },
  peers: {
    steps: () => 4,
    run: async (env, profile, into, progress) => { into.peers = await runPeers(env, profile.load, profile.peerTrials, progress); },
  },
  arrival: {
    steps: () => 6,
    run: async (env, profile, into, progress) => { into.arrival = await runArrival(env, profile.arrival, progress); },
  },
  capacity: {
    steps: (profile) => profile.capacitySteps.length * 4 + 2 + profile.shardSteps.length + 1,
    run: async (env, profile, into, progress) => {
      into.capacity = await runCapacity(env, profile.capacitySteps, profile.load, progress);
      into.budget = await runBudget(env, profile.budget, progress);
      into.shards = await runShards(profile.shardSteps, profile.load, progress);
    },
  },
  failover: {
    steps: () => 5,
    run: async (env, profile, into, progress) => { into.failover = await runFailover(env, profile.failover, progress); },
  },
  lab: {
    steps: () => 6,
    run: async (env, profile, into, progress) => { into.labCost = await runLabCost(env, profile.load, progress); },
  },
  cutover: {
    steps: (profile) => (profile.cutover.users === 0 ? 0 : profile.cutover.rollback ? 2 : 1),
    // A stage of its own: both phases configured to hand sessions over, behind one nginx.
    run: async (_env, profile, into, progress) => { into.cutover = profile.cutover.users === 0 ? [] : await runCutoverScenario(profile.cutover, progress); },
  },
};

export async function runBenchmarks(profile: Profile, scenarios: readonly Scenario[]): Promise<Results> {
  const startedAt = new Date().toISOString();
  // In the order of SCENARIOS, whatever order they were asked for in.
  const chosen = SCENARIOS.filter((scenario) => scenarios.includes(scenario));
  const progress = progressPrinter(chosen.reduce((n, scenario) => n + RUNNERS[scenario].steps(profile), 0));
  console.log(`[bench] starting the baselines, phase 1 and phase 2 (${profile.instances} instances behind nginx, Redis with Sentinel, PostgreSQL)…`);
  const env = await startEnvironment({ instances: profile.instances });
  try {
    const measured: Measured = { throughput: [], capacity: [], budget: [], failover: [], labCost: null, cutover: [], peers: [], shards: [], arrival: [], sweep: [] };
    const failedScenarios: FailedScenario[] = [];
    for (const scenario of chosen) {
      // A scenario that fails is reported as failed, and the others still run and are written:
      // one broken measurement must not cost the whole run (the main job exits non-zero at the end).
      try {
        await RUNNERS[scenario].run(env, profile, measured, progress(scenario));
      } catch (error) {
        const described = describeError(error, { stack: true });
        console.error(`[bench] ${scenario}: FAILED: ${described}`);
        failedScenarios.push({ scenario, error: describeError(error) });
      }
    }
    return {
      profile: profile.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: describeMachine(env.programs),
      load: profile.load,
      topology: `phase 2: ${profile.instances} instances behind nginx (keepalive 64), Redis primary + 2 replicas + 3 Sentinels (WAIT 1 on session writes), PostgreSQL 1 server; load generator, servers and stores on the same machine`,
      ...measured,
      failedScenarios,
      headlines: headlines(measured.throughput, measured.capacity, measured.failover, measured.cutover, measured.peers, measured.arrival),
    };
  } finally {
    await env.cleanup.run();
  }
}
