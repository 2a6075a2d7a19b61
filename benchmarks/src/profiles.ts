/** How long and how hard each profile measures. */
import type { LoadParameters } from './results.ts';

export interface Profile {
  name: 'smoke' | 'quick' | 'full';
  load: LoadParameters;
  instances: number;
  capacitySteps: number[];
  /** Sessions grown over the Redis Cluster's three shards, in steps. */
  shardSteps: number[];
  /** The same memory budget for both phases, and how many sessions to try at most. */
  budget: { mebibytes: number; maxSessions: number };
  /**
   * writers: sessions each incremented by its own writer through every fault (the durability
   * count); faults: which of the scenario's faults to run (by the start of their names), or all.
   */
  failover: { knownSessions: number; writers: number; beforeMs: number; afterMs: number; postgresOutageMs: number; faults: 'all' | string[] };
  /**
   * users: virtual users, each with its own session (none: the scenario is not run); steps: phase 2's share at each, held holdMs;
   * rollback: also run a canary of canaryShare % with PostgreSQL stopped, bounded by
   * rollbackBoundMs (the error-rate alert fires after 30 s of errors over a 1-minute window).
   */
  cutover: { users: number; steps: number[]; holdMs: number; rollback: boolean; canaryShare: number; rollbackBoundMs: number };
  /** Logouts raced against increments in flight, per stack, in the peers scenario. */
  peerTrials: number;
  /**
   * The open model: rates (req/s) each held stepMs, every one on every target; the knee refined
   * `refine` times between the last that held and the first that did not; k6's shapes ramping over
   * rampMs, held holdMs, the spike lasting spikeMs; the generator's connections, and how late an
   * answer may come before it counts as timed out.
   */
  /** The latency-against-connections sweep of the stateful read, each held one round. */
  sweepConnections: number[];
  arrival: { rates: number[]; stepMs: number; refine: number; rampMs: number; holdMs: number; spikeMs: number; connections: number; timeoutMs: number };
}

export const PROFILES: Record<Profile['name'], Profile> = {
  // Seconds per scenario: for the tests, which check that figures appear, not what they are.
  smoke: {
    name: 'smoke',
    load: { connections: 10, pipelining: 1, warmupSeconds: 0, roundSeconds: 1, rounds: 1 },
    instances: 2,
    capacitySteps: [100, 500],
    shardSteps: [300],
    // Fewer sessions than it takes to fill the budget: the smoke run checks that both phases are
    // put under it and report what happened, in seconds; the quick profile goes to the limit.
    budget: { mebibytes: 40, maxSessions: 8_000 },
    // One fault of each store: the scenario's machinery, timeline and durability count. Every
    // instance and Redis fault's own check runs in harness/test/ha.test.ts; the quick profile runs them all.
    failover: { knownSessions: 5, writers: 5, beforeMs: 500, afterMs: 1000, postgresOutageMs: 1500, faults: ['process killed', 'Redis primary killed', 'PostgreSQL stopped'] },
    // None: benchmarks/test/cutover-scenario.test.ts runs the scenario forward on its own, and
    // harness/test/cutover.test.ts the rollback, each beside the other tests rather than in this run.
    cutover: { users: 0, steps: [], holdMs: 0, rollback: false, canaryShare: 0, rollbackBoundMs: 0 },
    peerTrials: 5,
    sweepConnections: [1, 10],
    arrival: { rates: [50], stepMs: 300, refine: 0, rampMs: 200, holdMs: 300, spikeMs: 200, connections: 10, timeoutMs: 1000 },
  },
  // What `npm start` runs: a few minutes on a small machine.
  quick: {
    name: 'quick',
    load: { connections: 10, pipelining: 1, warmupSeconds: 1, roundSeconds: 2, rounds: 2 },
    instances: 3,
    capacitySteps: [1_000, 10_000, 100_000],
    shardSteps: [10_000, 50_000],
    budget: { mebibytes: 32, maxSessions: 160_000 },
    failover: { knownSessions: 50, writers: 20, beforeMs: 1500, afterMs: 2500, postgresOutageMs: 10_000, faults: 'all' },
    cutover: { users: 30, steps: [10, 50, 100], holdMs: 8000, rollback: true, canaryShare: 30, rollbackBoundMs: 120_000 },
    peerTrials: 20,
    sweepConnections: [1, 4, 16, 64],
    arrival: { rates: [100, 200, 400, 800, 1600, 3200, 6400], stepMs: 2000, refine: 2, rampMs: 1000, holdMs: 3000, spikeMs: 1000, connections: 100, timeoutMs: 2000 },
  },
  full: {
    name: 'full',
    load: { connections: 20, pipelining: 1, warmupSeconds: 3, roundSeconds: 10, rounds: 3 },
    instances: 3,
    capacitySteps: [1_000, 10_000, 100_000, 1_000_000],
    shardSteps: [10_000, 100_000, 300_000],
    budget: { mebibytes: 256, maxSessions: 1_300_000 },
    failover: { knownSessions: 200, writers: 20, beforeMs: 3000, afterMs: 5000, postgresOutageMs: 10_000, faults: 'all' },
    cutover: { users: 50, steps: [10, 50, 100], holdMs: 30_000, rollback: true, canaryShare: 30, rollbackBoundMs: 180_000 },
    peerTrials: 50,
    sweepConnections: [1, 4, 16, 64, 256],
    arrival: { rates: [100, 200, 400, 800, 1600, 3200, 6400, 12_800], stepMs: 6000, refine: 3, rampMs: 5000, holdMs: 20_000, spikeMs: 5000, connections: 200, timeoutMs: 5000 },
  },
};
