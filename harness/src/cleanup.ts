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

  /** Runs the cleanup and exits when the user presses Ctrl-C or the process is told to stop. */
  onSignals(): void {
    const handler = (signal: NodeJS.Signals) => {
      console.log(`\n${signal}: stopping everything this command started…`);
      void this.run().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  }
}
