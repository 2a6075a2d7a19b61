/** The shape of results.json: every raw figure of a run, with what it was measured on and how. */
import type { StepSummary } from 'harness';
import type { ArrivalResult, LatencySummary, Stage } from './arrival.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  packages: Record<string, string>;
  gitCommit: string;
}

export interface LoadParameters {
  connections: number;
  pipelining: number;
  warmupSeconds: number;
  roundSeconds: number;
  rounds: number;
}

export interface Round {
  requestsPerSecond: number;
  /** Milliseconds, to the microsecond. */
  latencyMs: { p50: number; p90: number; p99: number };
  requests: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
}

export interface ThroughputRow {
  endpoint: string;
  target: string;
  rounds: Round[];
  /** Mean of the rounds' requests per second. */
  requestsPerSecond: number;
  /** (max - min) / mean over the rounds: the run-to-run noise of this figure. */
  spread: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Sample responses checked against the contract, and what did not match. */
  contractSample: { checked: number; violations: string[] };
}

export interface CapacityStep {
  sessions: number;
  memoryBytes: number;
  bytesPerSession: number | null;
  readP99Ms: number;
  readP50Ms: number;
  createPerSecond: number;
  createErrors: number;
}

export interface CapacityRow {
  phase: string;
  memorySource: string;
  baselineMemoryBytes: number;
  steps: CapacityStep[];
}

/** One step of the sessions-across-shards scenario (phase 2 on a Redis Cluster). */
export interface ShardsStep {
  sessions: number;
  /** Each shard's primary: how many of the 16,384 slots it serves, its keys, the memory it uses, and how much that grew since before the first session. */
  shards: { primary: string; slots: number; keys: number; usedMemoryBytes: number; grownBytes: number }[];
  readP99Ms: number;
  createPerSecond: number;
  createErrors: number;
}

export interface BudgetRow {
  phase: string;
  budgetBytes: number;
  /** How the budget is enforced and what it covers. */
  limit: string;
  sessionsCreated: number;
  creationFailures: number;
  /** Live sessions at the end (phase 1: none if it died). */
  sessionsHeld: number;
  evicted: number;
  outcome: string;
}

export interface FailoverRow {
  phase: string;
  fault: string;
  requests: number;
  failed: number;
  failedIdempotent: number;
  resent: number;
  errorWindowMs: number;
  sessionsKnown: number;
  sessionsLost: number;
  recoveredAfterMs: number | null;
  /** Failed requests (no answer or 5xx) by method. */
  failedByMethod?: Record<string, number>;
  /**
   * The durability count, Jepsen-style: writers each incrementing their own session through the
   * fault; `acknowledged` increments answered 200, `finalValue` the counters' sum read back after,
   * `acknowledgedLost` what the counters fell short of the acknowledged count.
   */
  writes?: { sessions: number; acknowledged: number; attempted: number; finalValue: number; acknowledgedLost: number; sessionsLost: number };
  notes: string[];
  /**
   * Every TIMELINE_BUCKET_MS from the start of the load, empty buckets included: answers that
   * succeeded and that failed, by when the request was sent.
   */
  timeline: { atMs: number; ok: number; failed: number }[];
}

export interface Headline {
  name: string;
  /** The figure, and its range over the measured rounds (the same value when measured once). */
  value: number;
  low: number;
  high: number;
  unit: '×' | 'bytes' | 'ms' | 'requests' | 'sessions' | 'req/s';
  target: number | null;
  better: 'higher' | 'lower';
  /** 'met' or 'missed', 'within noise' when the rounds' range straddles the target, 'info' without a target. */
  verdict: 'met' | 'missed' | 'within noise' | 'info';
  explanation: string;
}

/** One way of running the lab while the same read is measured. */
export interface LabCostStage {
  name: 'lab off' | 'monitoring' | 'monitoring and virtual users';
  rows: ThroughputRow[];
  /** The lab's processes in this stage: the CPU the kernel counted for each while measuring, as a share of one core. */
  processes: { name: string; cpuPercentOfOneCore: number; rssBytes: number }[];
}

/** What the live lab costs what it watches: the same read with the lab off, with its monitoring, and with its virtual users too. */
export interface LabCost {
  operation: string;
  scrapeTargets: number;
  scrapeIntervalSeconds: number;
  /** Lab off first, then each thing the lab adds. */
  stages: [LabCostStage, ...LabCostStage[]];
  /** The virtual users' own load on each phase. */
  crowd: { phase: string; users: number; requestsPerSecond: number }[];
}

/**
 * A stack measured beside the peers: throughput and p99 of a session read and of an increment
 * (every connection on one shared session), increments acknowledged against the counter read back
 * (lost updates), and logouts raced by requests in flight that left the session alive.
 */
export interface PeerRow {
  target: string;
  read: ThroughputRow;
  increment: ThroughputRow;
  acknowledged: number;
  finalValue: number;
  lostUpdates: number;
  resurrected: number;
  trials: number;
}

/** One step of a cutover run, as harness/src/cutover.ts summarizes it: phase 2's share held, then every counter read back. */
export type CutoverStepRow = StepSummary;

/** The cutover under the steady stateful load (docs/decisions/0011-cutover-by-lazy-handover.md). */
export interface CutoverRun {
  name: 'forward' | 'rollback';
  users: number;
  /** Phase 2's share at each planned step, in percent. */
  planned: number[];
  fault: string | null;
  steps: CutoverStepRow[];
  rollback: { atMs: number; triggers: string[] } | null;
  events: { atMs: number; what: string }[];
  /** Every CUTOVER_BUCKET_MS: the share set, answers that succeeded and failed, those phase 2 gave, and the triggers' series then. */
  timeline: { atMs: number; share: number; ok: number; failed: number; phase2: number; errorRatio: number | null; p99Ms: number | null }[];
  /** Every counter read back at the end, against what its user was told. */
  final: { sessions: number; acknowledged: number; sessionsLost: number; acknowledgedLost: number; unreadable: number; overCounted: number };
  /** Sessions answered by phase 2 at some point, and handovers between the phases in all. */
  moved: number;
  handovers: number;
}

/** The stateful read on one target at one number of connections (a closed model): where throughput stops growing and latency starts to. */
export interface SweepPoint {
  target: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** One constant-rate step of the knee search: what was offered, what came back, and whether it held. */
export interface ArrivalStep {
  rate: number;
  okPerSecond: number;
  failedShare: number;
  latencyUs: LatencySummary;
  /** p99 ≤ ARRIVAL_KNEE.p99Ms and under ARRIVAL_KNEE.failedShare failures. */
  held: boolean;
}

/** One of k6's load shapes, scaled to the target's knee. */
export interface ArrivalShape {
  shape: 'smoke' | 'average load' | 'stress' | 'spike';
  /** The highest arrival rate in the shape, req/s. */
  peakRate: number;
  /** In k6's stage notation: the rate at the start, then [duration, target] per stage. */
  startRate: number;
  stages: Stage[];
  result: ArrivalResult;
}

/** One target under open-model load: its knee, the latency at each rate of the grid, and k6's shapes. */
export interface ArrivalRow {
  target: string;
  operation: string;
  /** The profile's rates, every one measured, lowest first. */
  grid: ArrivalStep[];
  /** The rates tried between the last that held and the first that did not. */
  refined: ArrivalStep[];
  /** The highest arrival rate that held (null: not even the lowest did). */
  knee: number | null;
  shapes: ArrivalShape[];
  /** After the spike, how long until every 100 ms bucket held again (null: not within the run). */
  spikeRecoveryMs: number | null;
}

/** What an arrival rate must keep to count as sustained. */
export const ARRIVAL_KNEE = { p99Ms: 50, failedShare: 0.01 } as const;

export interface Results {
  profile: string;
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  load: LoadParameters;
  topology: string;
  throughput: ThroughputRow[];
  /** Absent from runs made before the sweep existed: the stateful read at each number of connections. */
  sweep?: SweepPoint[];
  capacity: CapacityRow[];
  budget: BudgetRow[];
  failover: FailoverRow[];
  /** Absent from runs made before the lab existed, and when the scenario was not chosen. */
  labCost?: LabCost | null;
  /** Absent from runs made before the cutover existed, and when the scenario was not chosen. */
  cutover?: CutoverRun[];
  /** Absent from runs made before the peers were measured, and when the scenario was not chosen. */
  peers?: PeerRow[];
  /** Absent from runs made before the cluster existed, and when the capacity scenario was not chosen. */
  shards?: ShardsStep[];
  /** Absent from runs made before the open-model scenario existed, and when it was not chosen. */
  arrival?: ArrivalRow[];
  /**
   * The scenarios that ended with an error of their own, and what it said; every other scenario's
   * figures are still here. Absent from runs made before a failure could be reported.
   */
  failedScenarios?: FailedScenario[];
  headlines: Headline[];
}

export interface FailedScenario {
  scenario: string;
  error: string;
}

/** The cutover timeline's resolution: its steps last seconds to minutes. */
export const CUTOVER_BUCKET_MS = 1000;

/** The failover timeline's resolution: fine enough to see a 2-second failover's shape. */
export const TIMELINE_BUCKET_MS = 100;

/** Below this many sessions, a V8 heap reading's uncollected garbage outweighs the sessions themselves. */
export const HEAP_MIN_SESSIONS = 10_000;
