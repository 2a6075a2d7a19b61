/**
 * Real phase 1 processes, started as a user starts them: a configuration it cannot use, or a port
 * already taken, stops it at once with the reason (and no stack trace); SIGTERM stops it cleanly,
 * saying how many sessions die with it. (phase2-production/test/process.test.ts is its twin.)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup, startPhase1 } from 'harness';

const phase1Dir = fileURLToPath(new URL('..', import.meta.url));
const cleanup = new Cleanup();
afterAll(() => cleanup.run());

/** Runs phase 1's server with these settings until it exits; its exit code and output. */
function runUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: phase1Dir, env: { ...process.env, HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('exit', (code) => { resolve({ code, output }); });
  });
}

describe('a phase 1 process', () => {
  it('refuses a configuration it cannot use, naming the setting', async () => {
    const { code, output } = await runUntilExit({ PORT: '0', JWT_SECRET: 'too short' });
    expect(code).toBe(1);
    expect(output).toMatch(/phase1-mock: invalid configuration: .*JWT_SECRET/);
    expect(output).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('says so and exits when its port is taken', async () => {
    const running = await startPhase1(cleanup);
    const { code, output } = await runUntilExit({ PORT: new URL(running.url).port });
    expect(code).toBe(1);
    expect(output).toMatch(/phase1-mock: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  }, 60_000);

  it('on SIGTERM: stops cleanly (exit 0), saying how many sessions die with it', async () => {
    const running = await startPhase1(cleanup);
    for (let i = 0; i < 2; i += 1) expect((await fetch(`${running.url}/api/stateful/sessions`, { method: 'POST' })).status).toBe(201);
    const [child] = running.processes;
    if (!child) throw new Error('no process');
    child.kill('SIGTERM');
    expect(await child.exit).toEqual({ code: 0, signal: null });
    expect(child.recentOutput()).toMatch(/phase1-mock: SIGTERM, stopping; 2 sessions die with this process/);
  }, 60_000);
});
