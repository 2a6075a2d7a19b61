/**
 * The README's `npm run up` with every documented flag, run as a user runs it (through npm, from
 * the repository root), and `npm run fault` against it: the flags reach the harness, the topology
 * they ask for comes up, and Ctrl-C stops everything it started. Then the live lab it starts
 * beside the phases, in a real browser (playwright-core driving Debian's Chromium): every panel of
 * the console has data, its buttons break what they say, and what the page shows changes as it
 * should. Screenshots of each step are written to test-output/lab-console/ and attached to the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { readUpState } from '../src/control.ts';
import { repoRoot } from '../src/paths.ts';
import { waitForOutput } from './npm-up.ts';
import { trustLabCa } from '../src/infra/tls.ts';
import { ensurePrograms } from '../src/infra/binaries.ts';
import { queryPrometheus } from '../src/infra/prometheus.ts';
import { rawRequest } from '../src/raw-http.ts';
import { LAB_QUERIES } from '../src/lab/queries.ts';

let up: ChildProcess | null = null;
let output = '';
let browser: Browser | null = null;
const SCREENSHOTS = join(repoRoot, 'test-output', 'lab-console');

afterAll(async () => {
  await browser?.close();
  // Only if the test failed before Ctrl-C: the group this test started, by its own id.
  if (up?.pid !== undefined && up.exitCode === null && up.signalCode === null) process.kill(-up.pid, 'SIGKILL');
});

const waitFor = (pattern: RegExp, timeoutMs: number) => waitForOutput(() => output, () => up, pattern, timeoutMs);

/** Waits for a condition the page shows, with a generous bound; says what it last saw when it gives up. */
async function until(page: Page, what: string, read: () => Promise<string | null>, ok: (value: string | null) => boolean, timeoutMs = 60_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`the console never showed ${what}; last seen: ${String(last)}`);
}

async function screenshot(page: Page, context: TestContext, name: string, caption: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await context.annotate(`${caption}: ${path}`, { path, contentType: 'image/png' });
}

describe('npm run up -- --instances 2 --single-redis --logs', () => {
  it('starts two instances on one Redis and the live lab, copies both phases\' logs, takes faults from the console and the CLI, and stops everything on Ctrl-C', async (context) => {
    // Nothing up yet: the fault command says so and fails, without a stack trace.
    const early = spawnSync('npm', ['run', 'fault', '--', 'kill-instance', 'api-1'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/fault: (nothing is up: start the stacks with `npm run up`|the `npm run up` that wrote .* is gone)/);
    expect(early.stderr).not.toMatch(/\n\s+at /);
    // A flag out of range is refused before anything starts.
    const noInstances = spawnSync('npm', ['run', 'up', '--', '--instances', '0'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(noInstances.status).toBe(2);
    expect(noInstances.stderr).toContain('up: --instances takes a whole number from 1 to 16');

    // Its own process group, so Ctrl-C reaches npm, the shell and the harness as in a terminal.
    up = spawn('npm', ['run', 'up', '--', '--instances', '2', '--single-redis', '--logs'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => { output += chunk.toString(); };
    up.stdout?.on('data', collect);
    up.stderr?.on('data', collect);
    // 'close': npm and everything that shares its output (the harness, finishing its cleanup) are done.
    const closed = new Promise<number | null>((resolve) => up?.once('close', (code) => { resolve(code); }));

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
      const refused = await fetch(`${controlUrl}/faults/kill-instance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(refused.status, body.slice(0, 30)).toBe(status);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.text()).not.toContain(body.slice(0, 8));
    }
    expect((await fetch(`${controlUrl}/faults/no-such-fault`, { method: 'POST' })).status).toBe(404);
    // Faults this topology cannot take are refused with the reason, and nothing is broken.
    const refusals: [string, Record<string, string>, RegExp][] = [
      ['kill-instance', { target: 'api-9' }, /^no instance api-9; there are api-1, api-2$/],
      ['restart-redis', { target: 'redis-z' }, /^no Redis node redis-z; there are none \(--single-redis\)$/],
      ['kill-redis-primary', {}, /^kill-redis-primary needs the Sentinel topology \(not --single-redis or --redis cluster\)$/],
      ['fast-restart-redis-primary', {}, /^fast-restart-redis-primary needs the Sentinel topology/],
      ['pause-redis-primary', {}, /^pause-redis-primary needs the Sentinel topology \(not --single-redis or --redis cluster\)$/],
      ['kill-redis-replica', {}, /^kill-redis-replica needs the Sentinel topology \(not --single-redis or --redis cluster\)$/],
      ['stop-sentinels', {}, /^stop-sentinels needs the Sentinel topology \(not --single-redis or --redis cluster\)$/],
      ['start-sentinels', {}, /^start-sentinels needs the Sentinel topology \(not --single-redis or --redis cluster\)$/],
    ];
    for (const [action, body, reason] of refusals) {
      const refused = await fetch(`${controlUrl}/faults/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(refused.status, action).toBe(400);
      expect(((await refused.json()) as { detail: string }).detail, action).toMatch(reason);
    }
    for (const id of ['api-1', 'api-2']) expect((await fetch(`${phase2}/api/stateless/info`)).status, id).toBe(200);

    // What a page on another site could send: a simple POST (no preflight), or a request to a name
    // it rebound to 127.0.0.1. Both are refused before anything runs.
    const simple = await fetch(`${controlUrl}/faults/kill-instance`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"target":"api-1"}' });
    expect(simple.status).toBe(415);
    const rebound = await rawRequest(controlUrl, 'POST /faults/kill-instance HTTP/1.1\r\nHost: attacker.example\r\nContent-Type: application/json\r\nContent-Length: 18\r\nConnection: close\r\n\r\n{"target":"api-1"}');
    expect(rebound.status).toBe(421);
    expect(rebound.headers.get('content-type')).toBe('application/problem+json');

    // An action it does not know: the usage, with the actions and instances it has.
    const unknown = spawnSync('npm', ['run', 'fault', '--', 'unplug-everything'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('fault: unknown action unplug-everything');
    expect(unknown.stderr).toMatch(/usage: npm run fault -- <kill-instance\|.*> \[target\] \[--seconds N\] \[--json\]\ninstances: api-1, api-2/);
    // Flags it does not know, or without their value: one sentence and the usage, exit 2, no stack.
    for (const [args, sentence] of [[['--bogus'], 'fault: unknown option --bogus'], [['pause-instance', 'api-1', '--seconds'], 'fault: --seconds needs a value'], [['pause-instance', 'api-1', '--seconds', 'soon'], 'fault: --seconds is a number of seconds, not soon']] as const) {
      const bad = spawnSync('npm', ['run', 'fault', '--', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
      expect(bad.status, bad.stderr).toBe(2);
      expect(bad.stderr).toContain(sentence);
      expect(bad.stderr).toContain('usage: npm run fault -- <');
      expect(bad.stderr).not.toMatch(/\n\s+at |TypeError/);
    }
    // One that needs a target, sent without one: it says which.
    const untargeted = await fetch(`${controlUrl}/faults/pause-instance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(untargeted.status).toBe(400);
    expect(await untargeted.json()).toMatchObject({ detail: 'this action needs a phase 2 instance id' });

    // The lab: Prometheus scrapes every target, and every query the console and Grafana draw is one it accepts.
    const prometheus = (await waitFor(/^prometheus: (http:\/\/\S+)/m, 1000))[1] ?? '';
    const lab = (await waitFor(/^lab: (http:\/\/\S+)/m, 1000))[1] ?? '';
    expect(lab).toBe(controlUrl);
    for (const query of LAB_QUERIES) await queryPrometheus(prometheus, query.expr);
    const upByJob = async () => new Map((await queryPrometheus(prometheus, 'min by (job) (up)')).map((s) => [s.metric.job, s.value]));
    const deadline = Date.now() + 60_000;
    while ([...(await upByJob()).values()].filter((v) => v === 1).length < 7 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Object.fromEntries(await upByJob())).toEqual({ phase1: 1, phase2: 1, redis: 1, postgres: 1, nginx: 1, lab: 1 });

    // The console in a real browser: every panel with data.
    const { chromium: executablePath } = ensurePrograms(['chromium']);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => { pageErrors.push(error.message); });
    await page.goto(lab);
    const figure = (phase: string, key: string) => () => page.locator(`#phase-${phase} [data-figure="${key}"]`).getAttribute('data-value');
    const tile = (selector: string) => () => page.locator(selector).getAttribute('data-status');
    const atLeast = (n: number) => (value: string | null) => value !== null && value !== '' && Number(value) >= n;
    await until(page, 'a live connection', () => page.locator('#connection').getAttribute('data-state'), (v) => v === 'live');
    for (const phase of ['phase1-mock', 'phase2-production']) {
      // Every stateful virtual user signed in, every stateless one working, nobody lost.
      await until(page, `${phase}: 12 users signed in`, figure(phase, 'signed-in'), (v) => v === '12');
      await until(page, `${phase}: 6 stateless users working`, figure(phase, 'working'), (v) => v === '6');
      await until(page, `${phase}: the live sessions`, figure(phase, 'sessions'), atLeast(12));
      await until(page, `${phase}: a p99`, figure(phase, 'p99'), atLeast(0));
      expect(await figure(phase, 'sessions-lost')()).toBe('0');
      for (const chart of ['crowd', 'requests', 'errors', 'latency']) await until(page, `${phase}: the ${chart} chart with data`, () => page.locator(`#chart-${chart}-${phase}`).getAttribute('data-samples'), atLeast(5));
    }
    for (const id of ['mock-1', 'api-1', 'api-2']) await until(page, `${id} up`, tile(`[data-instance="${id}"]`), (v) => v === 'up');
    await until(page, 'Redis as the primary', tile('[data-dependency="Redis redis"]'), (v) => v === 'primary');
    for (const name of ['PostgreSQL', 'nginx', 'Prometheus']) await until(page, `${name} up`, tile(`[data-dependency="${name}"]`), (v) => v === 'up');
    await screenshot(page, context, 'start', 'the console with both phases serving');

    // Keyboard: the skip link leads to the fault buttons, which take focus like any button.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to the fault buttons');

    // "kill instance api-2": the tile goes down, the timeline says so, and nobody is signed out.
    await page.getByRole('button', { name: 'kill instance api-2', exact: true }).click();
    await until(page, 'api-2 down', tile('[data-instance="api-2"]'), (v) => v === 'down');
    await until(page, 'the fault in the timeline', () => page.locator('#timeline').innerText(), (v) => v?.includes('kill-instance api-2: injected') === true);
    await until(page, 'the fault\'s result', () => page.locator('#fault-status').innerText(), (v) => v?.includes('“kill instance api-2” done') === true);
    await until(page, 'phase 2 serving everyone on api-1', figure('phase2-production', 'signed-in'), (v) => v === '12');
    expect(await figure('phase2-production', 'sessions-lost')()).toBe('0');
    expect((await fetch(`${phase2}/api/stateless/info`)).headers.get('x-served-by')).toBe('phase2-production/api-1');
    await screenshot(page, context, 'kill-instance-api-2', 'after "kill instance api-2": api-2 down, every user still signed in');

    // The fault command of the README, as a user types it in a second terminal: api-2 comes back.
    const fault = spawnSync('npm', ['run', 'fault', '--', 'restart-instance', 'api-2'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(fault.status, fault.stderr).toBe(0);
    expect(fault.stdout).toMatch(/^restart-instance api-2: (down after \d+ ms, )?recovered after \d+ ms \(pid \d+\)$/m);
    const json = spawnSync('npm', ['run', 'fault', '--', 'restart-instance', 'api-2', '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout.slice(json.stdout.indexOf('{')))).toMatchObject({ action: 'restart-instance', target: 'api-2' });
    await until(page, 'api-2 up again', tile('[data-instance="api-2"]'), (v) => v === 'up');
    await until(page, 'the CLI\'s fault in the timeline', () => page.locator('#timeline').innerText(), (v) => v?.includes('restart-instance api-2: injected') === true);
    // With --seconds, as the README has it: api-2 hung for a second, then served again.
    const paused = spawnSync('npm', ['run', 'fault', '--', 'pause-instance', 'api-2', '--seconds', '1'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(paused.status, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('paused 1 s');
    // A fault the lab refuses: exit 1, with the lab's reason.
    const refused = spawnSync('npm', ['run', 'fault', '--', 'kill-instance', 'api-9'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('fault: kill-instance api-9 refused: no instance api-9; there are api-1, api-2');
    expect(refused.stderr).not.toContain('"detail"');

    // The cutover, backwards and forwards again: half of phase 2's users sent to phase 1 through
    // the same public entry, their sessions following them, then all back; nobody signed out.
    const phase1Sessions = async () => String(((await (await fetch(`${phase1}/api/stateful/stats`)).json()) as { liveSessions: number }).liveSessions);
    const before = Number(await phase1Sessions());
    const half = spawnSync('npm', ['run', 'fault', '--', 'cutover-share', '50'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(half.status, half.stderr).toBe(0);
    expect(half.stdout).toContain('phase 2 answered 100 % of users, now 50 %');
    await until(page, 'phase 1 answering some of phase 2\'s users', phase1Sessions, (v) => Number(v) > before);
    const all = spawnSync('npm', ['run', 'fault', '--', 'cutover-share', '100'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(all.status, all.stderr).toBe(0);
    // All on phase 2 again: phase 1 holds none of the sessions it had taken over.
    await until(page, 'the moved sessions back on phase 2', phase1Sessions, (v) => Number(v) <= before);
    expect(await figure('phase2-production', 'sessions-lost')()).toBe('0');
    const wrongShare = spawnSync('npm', ['run', 'fault', '--', 'cutover-share', '150'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(wrongShare.status).toBe(1);
    expect(wrongShare.stderr).toContain('a whole percentage from 0 to 100, not 150');

    // "kill phase 1": its users are signed out (their sessions were in its memory); phase 2's are not.
    await page.getByRole('button', { name: 'kill phase 1', exact: true }).click();
    await until(page, 'phase 1\'s sessions lost', figure('phase1-mock', 'sessions-lost'), atLeast(12));
    await until(page, 'users signed out in the timeline', () => page.locator('#timeline').innerText(), (v) => /Phase 1: the mockup: \d+ virtual users signed out/.test(v ?? ''));
    await screenshot(page, context, 'kill-phase1', 'after "kill phase 1": every phase 1 user signed out, phase 2\'s untouched');
    // Back after their pause, with new sessions; phase 2 lost nothing through both faults.
    await until(page, 'phase 1\'s users signed in again', figure('phase1-mock', 'signed-in'), (v) => v === '12');
    expect(await figure('phase2-production', 'sessions-lost')()).toBe('0');
    expect(pageErrors).toEqual([]);

    if (up.pid === undefined) throw new Error('npm run up has no pid');
    // To npm's own pid, not its process group, as a supervisor or a script that started it would:
    // npm forwards it to the node process (.npmrc), which stops everything and exits 0.
    process.kill(up.pid, 'SIGINT');
    expect(await closed).toBe(0);
    expect(output).toMatch(/SIGINT: stopping everything this command started/);
    expect(output).not.toMatch(/npm error/);
    // Nothing it started answers any more.
    for (const url of [phase1, phase2]) await expect(fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 420_000);
});
