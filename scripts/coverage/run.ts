/**
 * `npm test`: the tests with coverage of the whole process tree, then the checks that need no
 * quiet machine, side by side, then one coverage report.
 *
 * 1. vitest (measuring its workers with @vitest/coverage-v8, and every process a test starts
 *    through scripts/coverage/child.mjs), alone: its fault tests measure real processes on this
 *    machine's cores.
 * 2. Then, at once: the contract run (Dredd against both phases, measured the same way), eslint and
 *    the type check. None of them times anything, and on two cores they take the time of the
 *    longest instead of the sum.
 * 3. One merged report: each package's lines and branches against its floor (report.ts).
 *
 * Exits non-zero if any of them fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byPackage, checkFloors, leastCovered, wholeSuite } from './report.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const childDir = mkdtempSync(join(tmpdir(), 'lab-coverage-'));
const env = { ...process.env, LAB_COVERAGE_DIR: childDir, LAB_COVERAGE_ROOT: root };
const preload = fileURLToPath(new URL('child.mjs', import.meta.url));

function run(command: string, args: string[], extraEnv: Record<string, string> = {}): number {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  return result.status ?? 1;
}

/** Runs a command beside others: its output is held and printed whole when it ends, so outputs do not interleave. */
function runBeside(label: string, command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, ...extraEnv } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('close', (code) => {
      console.log(`\n== ${label} (exit ${String(code)})\n${output.trimEnd()}`);
      resolve(code ?? 1);
    });
  });
}

let status: number;
try {
  status = run('npx', ['vitest', 'run', '--coverage']);
  const others = await Promise.all([
    // The contract run's own processes (the runner, the phases, Dredd) load the preload directly.
    runBeside('npm run contract', 'npm', ['run', 'contract'], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim() }),
    runBeside('npm run lint', 'npm', ['run', 'lint']),
    runBeside('npm run typecheck', 'npm', ['run', 'typecheck']),
  ]);
  status ||= others.find((code) => code !== 0) ?? 0;
  const merged = await wholeSuite(join(root, 'coverage', 'coverage-final.json'), childDir);
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
} finally {
  rmSync(childDir, { recursive: true, force: true });
}
process.exit(status);
