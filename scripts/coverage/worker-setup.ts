/**
 * vitest setup file: when the run measures coverage (LAB_COVERAGE_DIR, set by
 * scripts/coverage/run.ts), every process a test starts loads scripts/coverage/child.mjs and
 * writes its own coverage there. Set here, in each worker, so that it reaches the workers'
 * children and not the workers, which vitest measures itself.
 */
import { fileURLToPath } from 'node:url';

if (process.env.LAB_COVERAGE_DIR && !(process.env.NODE_OPTIONS ?? '').includes('child.mjs')) {
  const preload = fileURLToPath(new URL('child.mjs', import.meta.url));
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim();
}
