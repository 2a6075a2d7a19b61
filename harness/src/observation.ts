/**
 * What a fault did, as the fault actions (faults.ts, cluster-faults.ts) observe it: when the target
 * went down and when the system did again what the fault broke, with notes.
 */
import type { ManagedProcess } from './processes.ts';

export interface Observation {
  action: string;
  target: string;
  pid: number | null;
  startedAt: string;
  /** When the target was seen gone (its process exited), ms after the start. */
  downAfterMs: number | null;
  /** When the system did again what the action broke, ms after the start. */
  recoveredAfterMs: number | null;
  notes: string[];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const pidOf = (process: ManagedProcess | null | undefined): number | null => process?.pid ?? null;

/** Opens an observation of `action` on `target`; `process` is the one acted on, if there is one. */
export function observation(action: string, target: string, process: ManagedProcess | null | undefined): Observation & { t0: number } {
  return { action, target, pid: pidOf(process), startedAt: new Date().toISOString(), downAfterMs: null, recoveredAfterMs: null, notes: [], t0: performance.now() };
}

export function finish(o: Observation & { t0: number }): Observation {
  const { t0: _t0, ...rest } = o;
  return rest;
}

/** Polls `probe` until it returns true; the time it first did, or null after `timeoutMs`. */
export async function until(probe: () => Promise<boolean>, t0: number, timeoutMs = 30_000): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if (await probe()) return Math.round(performance.now() - t0);
    } catch {
      // not yet
    }
    await sleep(25);
  }
  return null;
}

export const answers = (url: string, init: RequestInit = {}, ok = (status: number) => status < 300) => async () =>
  ok((await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })).status);

export async function exited(process: ManagedProcess, t0: number): Promise<number> {
  await process.exit;
  return Math.round(performance.now() - t0);
}
