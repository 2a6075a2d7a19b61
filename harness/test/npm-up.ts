/**
 * For the tests that run `npm run up` as a user does: wait for a line in what it printed so far,
 * giving up (with its last output) when it has exited or the bound has passed.
 */
import type { ChildProcess } from 'node:child_process';

export async function waitForOutput(output: () => string, up: () => ChildProcess | null, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const printed = output();
    const match = pattern.exec(printed);
    if (match) return match;
    const child = up();
    if (Date.now() > deadline || (child?.exitCode ?? null) !== null || child?.signalCode) throw new Error(`no ${String(pattern)} in the output of npm run up:\n${printed.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
