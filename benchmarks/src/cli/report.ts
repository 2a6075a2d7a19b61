/** `npm run report -w benchmarks -- <results.json> [out dir]`: renders a report again from its results. */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Results } from '../results.ts';
import { renderReport } from '../report/write.ts';

const [file, out] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run report -w benchmarks -- <results.json> [out dir]');
  process.exit(2);
}
await renderReport(JSON.parse(readFileSync(file, 'utf8')) as Results, null, out ?? dirname(file));
console.log(`report written to ${out ?? dirname(file)}`);
