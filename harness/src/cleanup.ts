/**
 * Undo steps registered as things start, run in reverse order once: at the end of a command, on
 * an error, on SIGINT/SIGTERM/SIGHUP, or on a crash. Every process and temp dir the harness makes is
 * registered in one.
 *
 * A command often holds several: its own, and one per benchmark scenario or contract run, made and
 * run inside it. A stop must reach all of them, not just the command's, so every cleanup not yet
 * run is kept in one list for the process, and `stopEverythingOnExit` runs them all, the newest
 * first (what a scenario started on top of the command's topology goes before it).
 */
import { describeError } from './errors.ts';
import { stopAllProcesses } from './processes.ts';

const live = new Set<Cleanup>();

export class Cleanup {
  readonly #steps: { label: string; run: () => Promise<void> | void }[] = [];
  #running: Promise<void> | undefined;

  constructor() {
    live.add(this);
  }

  add(label: string, run: () => Promise<void> | void): void {
    this.#steps.push({ label, run });
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(`cleanup: ${step.label} failed: ${describeError(error)}`);
        }
      }
      live.delete(this);
    })();
    return this.#running;
  }

  /**
   * Runs every cleanup of this process not yet run, the newest first, then stops any process that
   * none of them knew of yet.
   */
  static async runAll(): Promise<void> {
    for (const cleanup of [...live].reverse()) await cleanup.run();
    await stopAllProcesses();
  }

  /**
   * Stops everything this process started, whatever ends it:
   * - SIGINT (Ctrl-C), SIGTERM (a supervisor, `kill <pid>`), SIGHUP (the terminal closed): a stop
   *   that was asked for is not a failure, so the command exits 0 once everything is stopped;
   * - an uncaught exception or unhandled rejection (a bug, or a library's event nobody awaited):
   *   the error is printed and the command exits 1, after the same cleanup. Without this, Node
   *   would exit at once and leave every server the run had started running.
   * The signal often comes twice (the terminal sends Ctrl-C to the whole process group, and npm
   * forwards it to its child as well): a repeat while stopping is ignored instead of killing the
   * process halfway through its cleanup. The project's .npmrc runs scripts with bash, which execs
   * the command, so the node process is npm's own child and npm's forwarded signal reaches it.
   * Installed once per process, however many commands or scenarios ask.
   */
  static stopEverythingOnExit(): void {
    if (handlersInstalled) return;
    handlersInstalled = true;
    let stopping = false;
    const stop = (reason: string, exitCode: number) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${reason}: stopping everything this command started…`);
      void Cleanup.runAll().then(() => {
        console.log('stopped.');
        process.exit(exitCode);
      });
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => { stop(signal, 0); });
    const crashed = (error: unknown) => {
      console.error(`crashed: ${describeError(error, { stack: true })}`);
      stop('crashed', 1);
    };
    process.on('uncaughtException', crashed);
    process.on('unhandledRejection', crashed);
  }
}

let handlersInstalled = false;
