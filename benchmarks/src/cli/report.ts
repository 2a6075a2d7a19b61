/**
 * `npm run report -w benchmarks -- <results.json> [out dir]`: renders a report again from its
 * results. Paths are the caller's: npm runs a workspace's script in the workspace's directory, and
 * says in INIT_CWD where the command was typed.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Results } from '../results.ts';
import { renderReport } from '../report/write.ts';
import { callerPath } from 'harness';

const [file, out] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run report -w benchmarks -- <results.json> [out dir]');
  process.exit(2);
}
const resultsFile = callerPath(file);
const outDir = out === undefined ? dirname(resultsFile) : callerPath(out);
await renderReport(JSON.parse(readFileSync(resultsFile, 'utf8')) as Results, null, outDir);
console.log(`report written to ${outDir}`);
