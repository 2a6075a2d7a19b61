/**
 * The benchmarks stopped midway, as a supervisor or a user's `kill <pid>` would: SIGTERM to npm's
 * own pid while the failover scenario has the Sentinel topology's primary down. The run holds the
 * benchmarks' environment (phase 1, nginx over phase 2's instances, Redis with Sentinels,
 * PostgreSQL) in the scenario's cleanup, not the command's; everything must still stop, each by its
 * own pid, and the stop asked for ends with exit 0 and no npm error. What is left is looked for in
 * the session the test started npm in (harness/test/leftovers.ts), whoever the processes'
 * parents are now.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.ts';
import { leftInSession, processesInSession } from '../../harness/test/leftovers.ts';

const out = mkdtempSync(join(tmpdir(), 'lab-stop-midway-'));
let session = 0;

afterAll(() => {
  // Only if the test failed with something still running: what its own run started, by pid.
  if (session !== 0) for (const { pid } of processesInSession(session)) process.kill(pid, 'SIGKILL');
  rmSync(out, { recursive: true, force: true });
});

describe('npm run bench -- --profile smoke --scenario failover, stopped midway', () => {
  it('SIGTERM to npm\'s pid during the Redis primary\'s failover stops every process the run started, exit 0', async () => {
    const child = spawn('npm', ['run', 'bench', '--', '--profile', 'smoke', '--scenario', 'failover', '--out', out], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    session = Number(child.pid);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 300_000;
    while (!/failover: phase2-production: Redis primary killed/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the failover scenario never reached the Redis primary:\n${output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The whole topology is up: phase 1, nginx, phase 2's instances, three Redis nodes, three
    // Sentinels, PostgreSQL's processes, npm and the command itself.
    expect(processesInSession(session).length).toBeGreaterThan(12);
    process.kill(session, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: stopping everything this command started/);
    expect(output).not.toMatch(/npm error/);
    expect(await leftInSession(session)).toEqual([]);
  }, 420_000);
});
