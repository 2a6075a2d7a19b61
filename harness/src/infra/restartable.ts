/**
 * A server process the harness can take away and bring back, as an outage would: `launch` starts
 * it (again, with the same port and files) and returns the process; the handle keeps whichever
 * process runs now. Started once here; the cleanup stops it, by its own pid.
 */
import type { Cleanup } from '../cleanup.ts';
import type { ManagedProcess } from '../processes.ts';

export interface Restartable {
  /** The process running now, or null while it is stopped. */
  process(): ManagedProcess | null;
  /** Starts it again; the process started. */
  start(): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export async function startRestartable(cleanup: Cleanup, name: string, launch: () => Promise<ManagedProcess>): Promise<Restartable> {
  let child: ManagedProcess | null = null;
  const handle: Restartable = {
    process: () => child,
    start: async () => (child = await launch()),
    stop: async () => {
      await child?.stop();
      child = null;
    },
  };
  await handle.start();
  cleanup.add(`stop ${name}`, () => handle.stop());
  return handle;
}
