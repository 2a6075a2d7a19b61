/**
 * The contract check: each phase started alone with contract settings, Dredd against it where its
 * clients reach it, stopped. Phase 1 is its one process on plain HTTP; phase 2 is its public entry,
 * nginx over https in front of one instance, its certificate verified with the lab's CA.
 */
import { join } from 'node:path';
import { documentedResponses } from 'contract';
import { Cleanup, CONTRACT_ENV, startPhase1, startPhase2Topology, type ManagedProcess, type RunningPhase } from 'harness';
import { contractPassed, runDredd, type ContractEntry, type DreddSummary } from './dredd.ts';

type PhaseStarter = (cleanup: Cleanup) => Promise<{ phase: RunningPhase; caFile?: string; entry: ContractEntry }>;

export const CONTRACT_PHASES: { name: string; start: PhaseStarter }[] = [
  { name: 'phase1-mock', start: async (cleanup) => ({ phase: await startPhase1(cleanup, CONTRACT_ENV), entry: 'direct' }) },
  {
    name: 'phase2-production',
    start: async (cleanup) => {
      const topology = await startPhase2Topology(cleanup, { instances: 1, ha: false, env: CONTRACT_ENV });
      const phase: RunningPhase = {
        name: 'phase2-production',
        url: topology.url,
        maintenanceFile: topology.stack.env.MAINTENANCE_FILE,
        processes: [...topology.instances.map((i) => i.process).filter((p): p is ManagedProcess => p !== null), topology.nginx.process],
        stop: () => cleanup.run(),
        restart: () => Promise.reject(new Error('the contract run does not restart phase 2')),
      };
      return { phase, caFile: topology.nginx.caFile, entry: 'public' };
    },
  },
];

/**
 * Dredd against each phase. With `logDir`, each phase's transactions are written to
 * dredd-<phase>.log there and only failures and the summary are printed (the main job's screen).
 */
export async function checkContract(cleanup: Cleanup, options: { logDir?: string } = {}): Promise<DreddSummary[]> {
  const summaries: DreddSummary[] = [];
  for (const phase of CONTRACT_PHASES) {
    const logFile = options.logDir === undefined ? undefined : join(options.logDir, `dredd-${phase.name}.log`);
    if (logFile === undefined) console.log(`\n== Dredd: ${phase.name} against contract/openapi.yaml`);
    const phaseCleanup = new Cleanup();
    cleanup.add(`stop ${phase.name}`, () => phaseCleanup.run());
    try {
      const { phase: running, caFile, entry } = await phase.start(phaseCleanup);
      const summary = await runDredd(running, { caFile, entry, ...(logFile === undefined ? {} : { logFile }) });
      summaries.push(summary);
      console.log(`[${phase.name}] Dredd ${summary.line} (${summary.seconds.toFixed(1)} s)${logFile === undefined ? '' : `; every transaction in ${logFile}`}`);
    } finally {
      await phaseCleanup.run();
    }
  }
  return summaries;
}

export function printContractTable(summaries: DreddSummary[]): void {
  console.log(`\nThe contract documents ${EXPECTED_TRANSACTIONS} responses; Dredd makes one transaction of each.`);
  console.log('\n| phase | reached | transactions | passing | failing | errors | skipped | seconds |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const s of summaries) console.log(`| ${s.phase} | ${s.entry === 'public' ? 'through nginx, https' : 'directly, http'} | ${s.total} | ${s.passing} | ${s.failing} | ${s.errors} | ${s.skipped} | ${s.seconds.toFixed(1)} |`);
}

/** Dredd must have compiled one transaction per documented response, no more, no fewer. */
export const EXPECTED_TRANSACTIONS = documentedResponses().length;

export function allPassed(summaries: DreddSummary[]): boolean {
  return summaries.length === CONTRACT_PHASES.length && summaries.every((s) => contractPassed(s) && s.total === EXPECTED_TRANSACTIONS);
}

/**
 * The exit code of a command whose verdict is the contract's: 0 when every phase passed; else 1,
 * with `command`'s one-line reason on stderr under the table.
 */
export function contractExitCode(summaries: DreddSummary[], command: string): 0 | 1 {
  if (allPassed(summaries)) return 0;
  console.error(`\n${command}: some transactions did not pass (0 failing, 0 errors, and only the declared skips are accepted); see the Dredd output above (or its log)`);
  return 1;
}
