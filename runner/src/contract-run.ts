/** The contract check: each phase started alone with contract settings, Dredd against it, stopped. */
import { documentedResponses } from 'contract';
import { Cleanup, CONTRACT_ENV, startPhase1, startPhase2, type RunningPhase } from 'harness';
import { contractPassed, runDredd, type DreddSummary } from './dredd.ts';

type PhaseStarter = (cleanup: Cleanup) => Promise<RunningPhase>;

export const CONTRACT_PHASES: { name: string; start: PhaseStarter }[] = [
  { name: 'phase1-mock', start: (cleanup) => startPhase1(cleanup, CONTRACT_ENV) },
  { name: 'phase2-production', start: (cleanup) => startPhase2(cleanup, CONTRACT_ENV) },
];

export async function checkContract(cleanup: Cleanup): Promise<DreddSummary[]> {
  const summaries: DreddSummary[] = [];
  for (const phase of CONTRACT_PHASES) {
    console.log(`\n== Dredd: ${phase.name} against contract/openapi.yaml`);
    const phaseCleanup = new Cleanup();
    cleanup.add(`stop ${phase.name}`, () => phaseCleanup.run());
    try {
      const running = await phase.start(phaseCleanup);
      const summary = await runDredd(running);
      summaries.push(summary);
      console.log(`[${phase.name}] ${summary.line} (${summary.seconds.toFixed(1)} s)`);
    } finally {
      await phaseCleanup.run();
    }
  }
  return summaries;
}

export function printContractTable(summaries: DreddSummary[]): void {
  console.log(`\nThe contract documents ${EXPECTED_TRANSACTIONS} responses; Dredd makes one transaction of each.`);
  console.log('\n| phase | transactions | passing | failing | errors | skipped | seconds |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const s of summaries) console.log(`| ${s.phase} | ${s.total} | ${s.passing} | ${s.failing} | ${s.errors} | ${s.skipped} | ${s.seconds.toFixed(1)} |`);
}

/** Dredd must have compiled one transaction per documented response, no more, no fewer. */
export const EXPECTED_TRANSACTIONS = documentedResponses().length;

export function allPassed(summaries: DreddSummary[]): boolean {
  return summaries.length === CONTRACT_PHASES.length && summaries.every((s) => contractPassed(s) && s.total === EXPECTED_TRANSACTIONS);
}
