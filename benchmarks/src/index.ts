/** What the runner (`npm start`, `npm run bench`) uses to run the benchmarks and write the report. */
export { PROFILES, type Profile } from './profiles.ts';
export { runBenchmarks, SCENARIOS, type Scenario } from './run.ts';
export { ENDPOINTS } from './scenarios/throughput.ts';
export { writeReport, printSummary } from './report/write.ts';
export type { Results } from './results.ts';
export { renderSvgs } from './report/svg.ts';
