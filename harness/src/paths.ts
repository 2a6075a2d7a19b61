import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const phase1Dir = join(repoRoot, 'phase1-mock');
export const phase2Dir = join(repoRoot, 'phase2-production');

/**
 * A path given on the command line, from where it was typed: npm runs a workspace's script in the
 * workspace's directory and says in INIT_CWD where the command was typed.
 */
export function callerPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}
