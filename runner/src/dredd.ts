/**
 * Runs Dredd against one running phase with the shared hooks, prints its results labelled with the
 * phase, and returns Dredd's own summary line parsed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { contractDir } from './paths.ts';
import { responseSchemas } from 'contract';
import type { RunningPhase } from 'harness';

/** Where Dredd reaches a phase: the phase itself, or phase 2's public entry (nginx, https). */
export type ContractEntry = 'direct' | 'public';

export interface DreddSummary {
  phase: string;
  entry: ContractEntry;
  passing: number;
  failing: number;
  errors: number;
  skipped: number;
  total: number;
  seconds: number;
  /** Dredd's line, verbatim: `complete: N passing, N failing, N errors, N skipped, N total`. */
  line: string;
}

const require = createRequire(import.meta.url);
const dreddBin = join(dirname(require.resolve('dredd/package.json')), 'bin', 'dredd');
const COMPLETE = /complete: (\d+) passing, (\d+) failing, (\d+) errors, (\d+) skipped, (\d+) total/;

/**
 * @param options.caFile the CA that signed an https target's certificate: Dredd's process trusts
 *   it (NODE_EXTRA_CA_CERTS) and verifies the certificate with it.
 */
export async function runDredd(phase: RunningPhase, options: { quiet?: boolean; caFile?: string; entry?: ContractEntry; logFile?: string } = {}): Promise<DreddSummary> {
  const entry = options.entry ?? 'direct';
  const started = performance.now();
  // The hooks check each response against the contract's own JSON Schema, converted once by the
  // contract package and handed to Dredd's process as a file (its hooks are CommonJS).
  const schemaDir = mkdtempSync(join(tmpdir(), 'lab-dredd-'));
  const schemaFile = join(schemaDir, 'response-schemas.json');
  writeFileSync(schemaFile, JSON.stringify(responseSchemas()));
  const child = spawn(
    process.execPath,
    [dreddBin, join(contractDir, 'openapi.yaml'), phase.url, '--hookfiles', join(contractDir, 'dredd', 'hooks.cjs'), '--color', 'false', '--loglevel', 'warning'],
    { cwd: contractDir, env: {
      ...process.env,
      CONTRACT_TARGET: phase.url,
      MAINTENANCE_FILE: phase.maintenanceFile,
      CONTRACT_SCHEMAS: schemaFile,
      CONTRACT_ENTRY: entry,
      ...(options.caFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: options.caFile }),
    }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  rmSync(schemaDir, { recursive: true, force: true });

  // Dredd warns about every OpenAPI keyword its experimental OAS3 parser ignores; the hooks check
  // those keywords themselves (see dredd/schemas.cjs), so the warnings are counted, not repeated.
  const lines = output.split('\n');
  const parserWarnings = lines.filter((line) => line.includes('API description parser warning')).length;
  const shown = lines.filter((line) => line.trim() !== '' && !line.includes('API description parser warning') && !line.includes('padLevels') && !line.includes('--trace-warnings'));
  if (options.logFile !== undefined) {
    // Every transaction's line goes to the log; on screen only what failed (the caller prints the summary).
    writeFileSync(options.logFile, `${shown.join('\n')}\n`);
    if (!options.quiet) for (const line of shown.filter((l) => /^(fail|error):/.test(l))) console.log(`[${phase.name}] ${line}`);
  } else if (!options.quiet) {
    for (const line of shown) console.log(`[${phase.name}] ${line}`);
    if (parserWarnings > 0) console.log(`[${phase.name}] (${parserWarnings} parser warnings about schema keywords Dredd's OAS3 support ignores; the hooks check full schemas)`);
  }

  const match = COMPLETE.exec(output);
  if (!match) throw new Error(`Dredd exited with code ${String(code)} and printed no summary:\n${output.slice(-4000)}`);
  const [line, passing, failing, errors, skipped, total] = match.map((value, index) => (index === 0 ? value : Number(value))) as [string, number, number, number, number, number];
  return { phase: phase.name, entry, passing, failing, errors, skipped, total, seconds: (performance.now() - started) / 1000, line };
}

const { skipsFor } = require(join(contractDir, 'dredd', 'skips.cjs')) as { skipsFor: (entry: ContractEntry) => Record<string, string> };

/** The transactions the hooks skip on purpose at this entry, each with its reason (contract/dredd/skips.cjs). */
export function declaredSkips(entry: ContractEntry): Readonly<Record<string, string>> {
  return skipsFor(entry);
}

/** Every transaction passed but the declared skips, and those were skipped. */
export function contractPassed(summary: DreddSummary): boolean {
  const declared = Object.keys(declaredSkips(summary.entry)).length;
  return summary.failing === 0 && summary.errors === 0 && summary.skipped === declared && summary.total > declared && summary.passing === summary.total - declared;
}
