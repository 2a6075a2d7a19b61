/**
 * The production images' build, done here for real (Docker cannot run here): the same script the
 * Dockerfiles run compiles both phases to JavaScript in a copy of the repository, and each phase
 * then starts with plain `node …/server.js`, no TypeScript at run time, and serves a stateful
 * request (phase 2 on a real Redis and PostgreSQL, after its compiled migration).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup, startPostgres, startProcess, startRedis } from 'harness';
import { repositoryCopy } from './repository-copy.ts';

const APP_WORKSPACES = ['contract', 'core', 'phase1-mock', 'phase2-production'];
const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

/** A copy of what the Dockerfiles copy, with the installed dependencies linked in. */
function buildTree(): string {
  return repositoryCopy(cleanup, ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts'], APP_WORKSPACES, /\/test(\/|$)/);
}

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith(ending));
}

describe('the production build (what the Dockerfiles run)', () => {
  it('compiles both phases to JavaScript that plain node runs, with no TypeScript left', async () => {
    const dir = buildTree();
    const build = spawnSync('sh', ['scripts/compile-for-production.sh', ...APP_WORKSPACES], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
    for (const workspace of APP_WORKSPACES) {
      expect(filesUnder(join(dir, workspace, 'src'), '.ts'), workspace).toEqual([]);
      const { exports = {} } = JSON.parse(readFileSync(join(dir, workspace, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
      expect(Object.values(exports).filter((target) => target.endsWith('.ts')), workspace).toEqual([]);
    }
    expect(existsSync(join(dir, 'phase2-production', 'src', 'db', 'migrations', '001_schema.sql'))).toBe(true);
    // No loader: the compiled files are JavaScript node runs as it is.
    const node = (script: string, env: Record<string, string>) =>
      startProcess({ name: script, command: process.execPath, args: [script], cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, readyLine: /listening on (http:\/\/\S+)/, timeoutMs: 60_000 });

    const phase1 = await node('phase1-mock/src/server.js', { PORT: '0', JWT_SECRET: 'j'.repeat(32) });
    cleanup.add('stop phase 1 (compiled)', () => phase1.process.stop());
    await expectStatefulRequest(phase1.match?.[1] ?? '');

    const [redis, postgres] = await Promise.all([startRedis(cleanup), startPostgres(cleanup)]);
    const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, JWT_SECRET: 'j'.repeat(32) };
    const migrate = spawnSync(process.execPath, ['phase2-production/src/cli/migrate.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 120_000 });
    expect(migrate.status, `${migrate.stdout}${migrate.stderr}`).toBe(0);
    expect(migrate.stdout).toMatch(/loaded 2 users and \d+ products/);
    const phase2 = await node('phase2-production/src/server.js', { ...env, PORT: '0', LOG_LEVEL: 'warn' });
    cleanup.add('stop phase 2 (compiled)', () => phase2.process.stop());
    await expectStatefulRequest(phase2.match?.[1] ?? '');
  }, 600_000);
});

async function expectStatefulRequest(url: string): Promise<void> {
  const created = await fetch(`${url}/api/stateful/sessions`, { method: 'POST' });
  expect(created.status).toBe(201);
  const cookie = (created.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await created.json()) as { csrfToken: string };
  const incremented = await fetch(`${url}/api/stateful/counter/increment`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
  expect(await incremented.json()).toEqual({ value: 1 });
}
