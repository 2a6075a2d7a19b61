/**
 * `npm test`, in two lanes on this machine's two cores, then one coverage report.
 *
 * - Lane 1, streamed: vitest's whole-system tests, one file at a time (each runs a full topology
 *   and breaks it on purpose: two at once would leave each other's failovers too little CPU).
 * - Lane 2, printed when it ends: vitest's other tests.
 * - Lane 3, each step's output printed when it ends: the tests that mostly wait (the cutover's
 *   rollback waits for Prometheus's alert, its forward run holds its steps, phase 2's process waits
 *   out its drain), then the contract run (Dredd against both phases), eslint and the type check.
 *
 * Coverage: vitest measures its workers with @vitest/coverage-v8, and every process a test or the
 * contract run starts measures itself through scripts/coverage/child.mjs; report.ts merges them,
 * prints each package's lines and branches and holds each to its floor. Exits non-zero if any
 * step or floor fails.
 */
import { spawn } from 'node:child_process';
import { prepareTestMachine } from 'harness';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byPackage, checkFloors, leastCovered, wholeSuite } from './report.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const childDir = mkdtempSync(join(tmpdir(), 'lab-coverage-'));
const env = { ...process.env, LAB_COVERAGE_DIR: childDir, LAB_COVERAGE_ROOT: root };
const preload = fileURLToPath(new URL('child.mjs', import.meta.url));

/** What one step printed and how it ended: a failed step's output is printed again at the very end. */
interface StepOutcome { label: string; code: number; output: string }

/** Runs a command with its output streamed as it comes (and kept, to be shown again if it fails). */
function runStreamed(label: string, command: string, args: string[]): Promise<StepOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); process.stdout.write(chunk); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); process.stderr.write(chunk); });
    child.on('close', (code) => { resolve({ label, code: code ?? 1, output }); });
  });
}

/** Runs a command beside others: its output is held and printed whole when it ends, so outputs do not interleave. */
function runBeside(label: string, command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<StepOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...extraEnv } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('close', (code) => {
      console.log(`\n== ${label} (exit ${String(code)})\n${output.trimEnd()}`);
      resolve({ label, code: code ?? 1, output });
    });
  });
}

/**
 * A failed step, told last: whoever reads only the end of a long log (a CI page) still sees which
 * step failed and why. vitest and Dredd both end their output with the failures and the summary.
 */
function retell(failed: StepOutcome): string {
  const lines = failed.output.trimEnd().split('\n');
  const tail = lines.slice(-150);
  const cut = lines.length > tail.length ? `(the last ${String(tail.length)} of its ${String(lines.length)} lines)\n` : '';
  return `\n== FAILED: ${failed.label} (exit ${String(failed.code)}) ${cut}${tail.join('\n')}`;
}

let status: number;
try {
  // Made once, before either lane's vitest runs its own global setup (which then finds it done).
  prepareTestMachine();
  const vitest = (project: string) => ['vitest', 'run', '--project', project, '--coverage', `--coverage.reportsDirectory=coverage/${project}`];
  const lanes = await Promise.all([
    runStreamed('vitest: the whole-system tests', 'npx', vitest('system')).then((step) => [step]),
    runBeside('vitest: the other tests', 'npx', vitest('parts')).then((step) => [step]),
    (async () => [
      await runBeside('vitest: the tests that mostly wait', 'npx', vitest('waiting')),
      // The contract run's own processes (the runner, the phases, Dredd) load the preload directly.
      await runBeside('npm run contract', 'npm', ['run', 'contract'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim() }),
      await runBeside('npm run lint', 'npm', ['run', 'lint']),
      await runBeside('npm run typecheck', 'npm', ['run', 'typecheck']),
    ])(),
  ]);
  const failedSteps = lanes.flat().filter((step) => step.code !== 0);
  status = failedSteps.length > 0 ? 1 : 0;
  const merged = await wholeSuite(['system', 'parts', 'waiting'].map((project) => join(root, 'coverage', project, 'coverage-final.json')), childDir);
  // Kept for reading file by file (istanbul's JSON: any istanbul reporter takes it).
  writeFileSync(join(root, 'coverage', 'whole-suite.json'), JSON.stringify(merged.toJSON()));
  const packages = byPackage(merged, root);
  const { table, failures } = checkFloors(packages);
  console.log('\nCoverage of the whole suite (vitest\'s workers and every process the tests and the contract run started):\n');
  console.log(table);
  console.log('\nThe files with the most branches left uncovered:');
  for (const line of leastCovered(merged, root, 10)) console.log(`  ${line}`);
  if (failures.length > 0) {
    console.error(`\ncoverage under its floor (scripts/coverage/report.ts):\n  ${failures.join('\n  ')}`);
    status ||= 1;
  }
  for (const failed of failedSteps) console.error(retell(failed));
} finally {
  rmSync(childDir, { recursive: true, force: true });
}
process.exit(status);
