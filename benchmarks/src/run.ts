/** One benchmark run: the environment up, the chosen scenarios, every figure into Results. */
import { responseValidator } from 'contract';
import { startEnvironment } from './environment.ts';
import { headlines } from './headlines.ts';
import { describeMachine } from './machine.ts';
import type { Profile } from './profiles.ts';
import type { Results } from './results.ts';
import { runThroughput } from './scenarios/throughput.ts';
import { runCapacity } from './scenarios/capacity.ts';
import { runBudget } from './scenarios/budget.ts';
import { runFailover } from './scenarios/failover.ts';
import { runLabCost } from './scenarios/lab-cost.ts';

export const SCENARIOS = ['throughput', 'capacity', 'failover', 'lab'] as const;
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

export async function runBenchmarks(profile: Profile, scenarios: readonly Scenario[]): Promise<Results> {
  const startedAt = new Date().toISOString();
  const steps = (scenarios.includes('throughput') ? 21 : 0) + (scenarios.includes('capacity') ? profile.capacitySteps.length * 4 + 2 : 0) + (scenarios.includes('failover') ? 5 : 0) + (scenarios.includes('lab') ? 6 : 0);
  const progress = progressPrinter(steps);
  console.log(`[bench] starting the baselines, phase 1 and phase 2 (${profile.instances} instances behind nginx, Redis with Sentinel, PostgreSQL)…`);
  const env = await startEnvironment({ instances: profile.instances });
  try {
    const validate = responseValidator();
    const throughput = scenarios.includes('throughput') ? await runThroughput(env, profile.load, validate, progress('throughput')) : [];
    const capacity = scenarios.includes('capacity') ? await runCapacity(env, profile.capacitySteps, profile.load, progress('capacity')) : [];
    const budget = scenarios.includes('capacity') ? await runBudget(env, profile.budget, progress('capacity')) : [];
    const failover = scenarios.includes('failover') ? await runFailover(env, profile.failover, progress('failover')) : [];
    const labCost = scenarios.includes('lab') ? await runLabCost(env, profile.load, progress('lab')) : null;
    return {
      profile: profile.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: describeMachine(env.programs),
      load: profile.load,
      topology: `phase 2: ${profile.instances} instances behind nginx (keepalive 64), Redis primary + 2 replicas + 3 Sentinels (WAIT 1 on session writes), PostgreSQL 1 server; load generator, servers and stores on the same machine`,
      throughput,
      capacity,
      budget,
      failover,
      labCost,
      headlines: headlines(throughput, capacity, failover),
    };
  } finally {
    await env.cleanup.run();
  }
}
