/**
 * `npm run bench` as the README quotes it, refusing what it cannot run before it starts anything:
 * an unknown profile or scenario exits 2 and says which ones exist.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.ts';

const bench = (...args: string[]) => spawnSync('npm', ['run', 'bench', '--', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

describe('npm run bench', () => {
  it('refuses an unknown profile, naming the profiles', () => {
    const run = bench('--profile', 'huge');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bench: --profile is one of smoke, quick, full');
  });

  it('refuses an unknown scenario, naming the scenarios', () => {
    const run = bench('--profile', 'smoke', '--scenario', 'throughput', '--scenario', 'latency');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bench: unknown scenario latency; there are throughput, peers, arrival, capacity, failover, lab, cutover');
  });
});
