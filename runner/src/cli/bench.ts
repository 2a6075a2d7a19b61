/**
 * `npm run bench -- [--profile smoke|quick|full] [--scenario throughput|peers|arrival|capacity|failover|lab|cutover]… [--out DIR]`
 * Runs the scenarios, writes results.json and the report into docs/reports/<date>/ and
 * docs/reports/latest/ (or DIR), and prints the headlines.
 */
import { parseArgs } from 'node:util';
import { SCENARIOS, printSummary, type Scenario } from 'benchmarks';
import { benchmarkAndReport, profileNamed } from '../benchmark-run.ts';
import { describeError } from 'harness';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'quick' },
    scenario: { type: 'string', multiple: true, default: [...SCENARIOS] },
    out: { type: 'string' },
  },
});
const profile = profileNamed(values.profile);
if (typeof profile === 'string') {
  console.error(`bench: ${profile}`);
  process.exit(2);
}
const chosen = values.scenario as Scenario[];
const unknown = chosen.filter((s) => !SCENARIOS.includes(s));
if (unknown.length > 0) {
  console.error(`bench: unknown scenario ${unknown.join(', ')}; there are ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
try {
  const { results, written } = await benchmarkAndReport(profile, chosen, values.out);
  printSummary(results);
  console.log(`\n[bench] report: ${written.join(', ')}`);
} catch (error) {
  console.error(`bench: ${describeError(error, { stack: true })}`);
  process.exit(1);
}
