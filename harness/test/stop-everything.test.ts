/**
 * Whatever ends a command midway, everything it started stops, each process by its own pid: a
 * signal (exit 0, a stop asked for), an exception nobody caught or a rejection nobody awaited
 * (exit 1, the error printed). The command holds real servers (the Sentinel topology's Redis
 * processes) in a cleanup of its own and in a scenario's cleanup made inside it, and one process
 * no cleanup knows of yet; afterwards nothing is left in the session the command was started in,
 * and its files are gone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.ts';
import { leftInSession, processesInSession } from './leftovers.ts';

const harnessDir = join(repoRoot, 'harness');
const FIXTURE = join(harnessDir, 'test', 'fixtures', 'end-midway.ts');
const sessions: number[] = [];

// Only if a test failed with something still running: what its own run started, by pid.
afterEach(() => {
  for (const session of sessions.splice(0)) for (const { pid } of processesInSession(session)) process.kill(pid, 'SIGKILL');
});

async function endMidway(how: 'signal' | 'exception' | 'rejection'): Promise<{ code: number | null; output: string; redisDir: string; session: number }> {
  // A session of its own, whose id is the fixture's pid: what it starts stays in it.
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, how], { cwd: harnessDir, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const session = Number(child.pid);
  sessions.push(session);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 90_000;
  let started = /started ([\d ]+) in (\S+)/.exec(output);
  while (!started) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the fixture never started its servers:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    started = /started ([\d ]+) in (\S+)/.exec(output);
  }
  // Seven processes: three Redis nodes, three Sentinels, and the one no cleanup knows of; and the
  // fixture itself.
  expect(String(started[1]).trim().split(' ')).toHaveLength(7);
  expect(processesInSession(session).length).toBeGreaterThanOrEqual(8);
  // Only now, counted, is it ended.
  if (how === 'signal' && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  else child.stdin.write('end now\n');
  return { code: await exited, output, redisDir: dirname(String(started[2])), session };
}

describe('a command ended midway stops everything it started', () => {
  it('by SIGTERM: exits 0 once every process is stopped and its files removed', async () => {
    const run = await endMidway('signal');
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/SIGTERM: stopping everything this command started/);
    expect(run.output).toMatch(/command cleanup ran/);
    expect(await leftInSession(run.session)).toEqual([]);
    expect(existsSync(run.redisDir)).toBe(false);
  });

  it.each([
    ['exception', 'an exception nobody caught', /crashed: Error: thrown midway and never caught/],
    ['rejection', 'a rejection nobody awaited', /crashed: Error: rejected midway and never awaited/],
  ] as const)('by %s (%s): prints it, runs every cleanup, stops everything, exits 1', async (how, _what, printed) => {
    const run = await endMidway(how);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(printed);
    expect(run.output).toMatch(/command cleanup ran/);
    expect(await leftInSession(run.session)).toEqual([]);
    expect(existsSync(run.redisDir)).toBe(false);
  });
});
