/**
 * Undo steps registered as things start, run in reverse order once: at the end of a command, on
 * an error, or on SIGINT/SIGTERM. Every process and temp dir the harness makes is registered here.
 */
import { describeError } from './errors.ts';

export class Cleanup {
  readonly #steps: { label: string; run: () => Promise<void> | void }[] = [];
  #running: Promise<void> | undefined;

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
    })();
    return this.#running;
  }

  /**
   * Runs the cleanup and exits when the user presses Ctrl-C or the process is told to stop. A stop
   * that was asked for is not a failure: the command exits 0 once everything it started is stopped.
   * The signal often comes twice (the terminal sends Ctrl-C to the whole process group, and npm
   * forwards it to its child as well): a repeat while stopping is ignored instead of killing the
   * process halfway through its cleanup. The project's .npmrc runs scripts with bash, which execs
   * the command, so the node process is npm's own child and npm's forwarded signal reaches it.
   */
  onSignals(): void {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping everything this command started…`);
      void this.run().then(() => {
        console.log('stopped.');
        process.exit(0);
      });
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
}
