/** Starting each phase as a real process on a port the OS picks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from './processes.ts';
import { phase1Dir } from './paths.ts';
import type { Cleanup } from './cleanup.ts';

export interface RunningPhase {
  name: 'phase1-mock' | 'phase2-production';
  url: string;
  /** Creating this file puts the phase in maintenance mode (every operation answers 503). */
  maintenanceFile: string;
  processes: ManagedProcess[];
  stop(): Promise<void>;
  /** Stops it (if running) and starts it again with the same settings on the same port. */
  restart(): Promise<RunningPhase>;
}

/** Settings for contract runs: a short rate-limit window, so the 429 checks cost seconds, not minutes. */
export const CONTRACT_ENV = { AUTH_RATE_LIMIT_MAX: '20', AUTH_RATE_LIMIT_WINDOW_SECONDS: '4' };

const LISTENING = /listening on (http:\/\/[\d.]+:\d+)/;

/** Phase 1: one process, and `process` is it. */
export async function startPhase1(cleanup: Cleanup, env: Record<string, string> = {}, options: { echo?: boolean; workDir?: string } = {}): Promise<RunningPhase & { process: ManagedProcess }> {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'lab-phase1-'));
  if (!options.workDir) cleanup.add(`remove ${workDir}`, () => { rmSync(workDir, { recursive: true, force: true }); });
  const maintenanceFile = join(workDir, 'maintenance');
  const { process: child, match } = await startProcess({
    name: 'phase1-mock',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/server.ts'],
    cwd: phase1Dir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MAINTENANCE_FILE: maintenanceFile, ...env },
    readyLine: LISTENING,
    echo: options.echo ?? false,
  });
  cleanup.add('stop phase1-mock', () => child.stop());
  const url = match?.[1];
  if (!url) throw new Error('phase1-mock printed no address');
  return {
    name: 'phase1-mock',
    url,
    maintenanceFile,
    process: child,
    processes: [child],
    stop: () => child.stop(),
    restart: async () => {
      await child.stop();
      return startPhase1(cleanup, { ...env, PORT: new URL(url).port }, { ...options, workDir });
    },
  };
}
