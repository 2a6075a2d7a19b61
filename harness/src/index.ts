/** What tests in other workspaces use to start real infrastructure and phases. */
export { Cleanup } from './cleanup.ts';
export { describeError } from './errors.ts';
export { freePort } from './ports.ts';
export { startRedis, type RunningRedis } from './infra/redis.ts';
export { startPostgres, type RunningPostgres } from './infra/postgres.ts';
export { ensurePrograms, findProgram } from './infra/binaries.ts';
export { startPhase1, CONTRACT_ENV, type RunningPhase } from './phases.ts';
export { startPhase2, startPhase2Infrastructure, startPhase2Instance, runMigrate, stackEnv, instanceEnv, type Phase2Stack } from './phase2.ts';
export { startProcess, type ManagedProcess } from './processes.ts';
export { startPhase2Topology, type Phase2Topology, type Instance } from './topology.ts';
export * as faults from './faults.ts';
export { steadyLoad, failures, mixedSessionLoad, sessionWriters, checkAcknowledged, startSession, type SessionStart, type LoadRequest, type LoadResult, type SessionClient, type WriterTally, type DurabilityCheck } from './load.ts';
export { MASTER_NAME, NODE_DATA_SETTINGS, REDIS_NODE_NAMES, SENTINEL_NAMES, sentinelSettings } from './infra/redis-ha.ts';
export { upstreamLines } from './infra/nginx.ts';
export { rawRequest, type RawAnswer } from './raw-http.ts';
export { startMonitoring, startCrowds, CROWD_PROCESS_SCRIPT, type RunningMonitoring, type RunningCrowds } from './lab/lab.ts';
export { queryPrometheus } from './infra/prometheus.ts';
export type { Crowd, CrowdCounts } from './lab/crowd.ts';
