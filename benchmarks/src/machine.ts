/** What a run was measured on: recorded with every result so figures are never read without it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, totalmem, type } from 'node:os';
import type { Machine } from './results.ts';

const require = createRequire(import.meta.url);

function version(name: string, from: string): string {
  try {
    const anchor = createRequire(new URL(`../../${from}/package.json`, import.meta.url));
    return (JSON.parse(readFileSync(anchor.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    try {
      return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  }
}

/** A program's version from what it prints (nginx -v prints to stderr). */
function programVersion(command: string, args: string[], pattern: RegExp): string {
  const { stdout, stderr } = spawnSync(command, args, { encoding: 'utf8' });
  return pattern.exec(`${stdout}${stderr}`)?.[1] ?? 'unknown';
}

export function describeMachine(programs: { redis: string; postgres: string; nginx: string }): Machine {
  let gitCommit = 'unknown';
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    node: process.version,
    packages: {
      express: version('express', 'phase1-mock'),
      fastify: version('fastify', 'phase2-production'),
      ioredis: version('ioredis', 'phase2-production'),
      pg: version('pg', 'phase2-production'),
      autocannon: version('autocannon', 'benchmarks'),
      'redis-server': programVersion(programs.redis, ['--version'], /v=([\d.]+)/),
      postgres: programVersion(programs.postgres, ['--version'], /(\d+\.\d+)/),
      nginx: programVersion(programs.nginx, ['-v'], /nginx\/([\d.]+)/),
    },
    gitCommit,
  };
}
