/**
 * The README's `npm run up` with every documented flag, run as a user runs it (through npm, from
 * the repository root), and `npm run fault` against it: the flags reach the harness, the topology
 * they ask for comes up, and Ctrl-C stops everything it started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { readUpState } from '../src/control.ts';
import { repoRoot } from '../src/paths.ts';
import { trustLabCa } from '../src/infra/tls.ts';

let up: ChildProcess | null = null;
let output = '';

afterAll(() => {
  // Only if the test failed before Ctrl-C: the group this test started, by its own id.
  if (up?.pid !== undefined && up.exitCode === null && up.signalCode === null) process.kill(-up.pid, 'SIGKILL');
});

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output);
    if (match) return match;
    if (Date.now() > deadline || (up?.exitCode ?? null) !== null || up?.signalCode) throw new Error(`no ${String(pattern)} in the output of npm run up:\n${output.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run up -- --instances 2 --single-redis --logs', () => {
  it('starts two instances on one Redis, copies both phases\' logs, takes faults, and stops everything on Ctrl-C', async () => {
    // Nothing up yet: the fault command says so and fails, without a stack trace.
    const early = spawnSync('npm', ['run', 'fault', '--', 'kill-instance', 'api-1'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/fault: (nothing is up: start the stacks with `npm run up`|the `npm run up` that wrote .* is gone)/);
    expect(early.stderr).not.toMatch(/\n\s+at /);

    // Its own process group, so Ctrl-C reaches npm, the shell and the harness as in a terminal.
    up = spawn('npm', ['run', 'up', '--', '--instances', '2', '--single-redis', '--logs'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => { output += chunk.toString(); };
    up.stdout?.on('data', collect);
    up.stderr?.on('data', collect);
    // 'close': npm and everything that shares its output (the harness, finishing its cleanup) are done.
    const closed = new Promise<void>((resolve) => up?.once('close', () => { resolve(); }));

    await waitFor(/Press Ctrl-C to stop/, 180_000);
    const phase1 = (await waitFor(/^phase1: (http:\/\/\S+)$/m, 1000))[1] ?? '';
    const phase2 = (await waitFor(/^phase2: (https:\/\/\S+)$/m, 1000))[1] ?? '';
    // The CA it prints is the one to verify phase 2 with, as the curl line it prints does.
    const caFile = (await waitFor(/curl --cacert (\S+) https:/, 1000))[1] ?? '';
    trustLabCa(caFile);
    expect((await waitFor(/^\s+(http:\/\/\S+) redirects there \(308\)$/m, 1000))[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // --instances 2 and --single-redis reached the harness.
    expect(output).toMatch(/nginx over api-1 http:\/\/\S+, api-2 http:\/\/\S+\n/);
    expect(output).toMatch(/^\s+redis redis:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).not.toMatch(/redis primary \+ replicas/);

    // --logs: a request to each phase shows up in the output, tagged with who served it.
    expect((await fetch(`${phase1}/api/stateless/info`, { headers: { 'x-request-id': 'up-test-phase1' } })).status).toBe(200);
    expect((await fetch(`${phase2}/api/stateless/info`, { headers: { 'x-request-id': 'up-test-phase2' } })).status).toBe(200);
    await waitFor(/\[phase1-mock\] .*GET \/api\/stateless\/info 200 up-test-phase1/, 10_000);
    await waitFor(/\[phase2\/api-\d\] \{.*"requestId":"up-test-phase2"/, 10_000);

    // Malformed fault commands get a problem, and `up` runs on (it used to crash, orphaning all).
    const { controlUrl } = readUpState();
    for (const [body, status] of [['{not json', 400], ['[1]', 400], ['{"seconds":"5"}', 400], ['{"target":"api-2","extra":1}', 400], ['x'.repeat(10_000), 413]] as const) {
      const refused = await fetch(`${controlUrl}/faults/kill-instance`, { method: 'POST', body });
      expect(refused.status, body.slice(0, 30)).toBe(status);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.text()).not.toContain(body.slice(0, 8));
    }
    expect((await fetch(`${controlUrl}/faults/no-such-fault`, { method: 'POST' })).status).toBe(404);

    // An action it does not know: the usage, with the actions and instances it has.
    const unknown = spawnSync('npm', ['run', 'fault', '--', 'unplug-everything'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/usage: npm run fault -- <kill-instance\|.*> \[target\] \[--seconds N\]\ninstances: api-1, api-2/);

    // The fault command of the README, as a user types it in a second terminal.
    const fault = spawnSync('npm', ['run', 'fault', '--', 'kill-instance', 'api-2'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(fault.status, fault.stderr).toBe(0);
    expect(fault.stdout).toMatch(/"action": "kill-instance"/);
    expect((await fetch(`${phase2}/api/stateless/info`)).headers.get('x-served-by')).toBe('phase2-production/api-1');

    if (up.pid === undefined) throw new Error('npm run up has no pid');
    process.kill(-up.pid, 'SIGINT');
    await closed;
    expect(output).toMatch(/SIGINT: stopping everything this command started/);
    // Nothing it started answers any more.
    for (const url of [phase1, phase2]) await expect(fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 300_000);
});
