/** What `npm start` and `npm run bench` share: the profile they were given, the run, the report. */
import { PROFILES, runBenchmarks, writeReport, type Profile, type Results, type Scenario } from 'benchmarks';
import { callerPath } from 'harness';
import { reportsDir } from './paths.ts';

/** The profile named by --profile, or what is wrong with the name. */
export function profileNamed(name: string): Profile | string {
  const profile = PROFILES[name as Profile['name']] as Profile | undefined;
  return profile ?? `--profile is one of ${Object.keys(PROFILES).join(', ')}`;
}

/** Runs the scenarios and writes the report into --out, or into docs/reports/<date>/ and latest/; returns what it wrote. */
export async function benchmarkAndReport(profile: Profile, scenarios: readonly Scenario[], out: string | undefined): Promise<{ results: Results; written: string[] }> {
  const results = await runBenchmarks(profile, scenarios);
  const written = await writeReport(results, out === undefined ? { reportsDir } : { out: callerPath(out) });
  return { results, written };
}
