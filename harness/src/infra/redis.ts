/**
 * A private Redis server: its own port (from the OS) and directory, no persistence unless asked,
 * stopped and removed by the cleanup. `stop()` and `start()` let tests take it away and bring it
 * back on the same port, as an outage would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../cleanup.ts';
import { freePort } from '../ports.ts';
import { startProcess, type ManagedProcess } from '../processes.ts';
import { ensurePrograms } from './binaries.ts';
import { startRestartable } from './restartable.ts';

export interface RunningRedis {
  url: string;
  port: number;
  process(): ManagedProcess | null;
  stop(): Promise<void>;
  /** Starts it again on the same port, with its files. */
  start(): Promise<unknown>;
}

export interface RedisOptions {
  /** Extra `redis-server` arguments, e.g. ['--maxmemory', '256mb']. */
  args?: string[];
  name?: string;
}

export async function startRedis(cleanup: Cleanup, options: RedisOptions = {}): Promise<RunningRedis> {
  const existing = process.env.REDIS_URL;
  if (existing) {
    return { url: existing, port: Number(new URL(existing).port || 6379), process: () => null, stop: () => Promise.reject(new Error('REDIS_URL is external: the harness does not stop it')), start: () => Promise.resolve() };
  }
  const { 'redis-server': binary } = ensurePrograms(['redis-server']);
  const dir = mkdtempSync(join(tmpdir(), 'lab-redis-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  const port = await freePort();
  const name = options.name ?? 'redis';
  const server = await startRestartable(cleanup, name, async () => (await startProcess({
    name,
    command: binary,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...(options.args ?? [])],
    readyLine: /Ready to accept connections/,
  })).process);
  return { url: `redis://127.0.0.1:${port}`, port, ...server };
}
