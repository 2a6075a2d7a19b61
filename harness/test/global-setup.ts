/** Runs once before any test file of a vitest run (npm test also runs it before its two lanes). */
import { prepareTestMachine } from '../src/prepare.ts';

export default function setup(): void {
  prepareTestMachine();
}
