/**
 * A copy of part of this repository, for a test that runs a command which writes into the tree
 * (the production build, the docs build) without touching the working copy. Each workspace copied
 * is linked into node_modules as npm links it; every other installed package is linked from the
 * real install.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from 'harness';
import { repoRoot } from '../src/paths.ts';

export const WORKSPACES = ['contract', 'core', 'phase1-mock', 'phase2-production', 'harness', 'benchmarks', 'runner'];

/**
 * @param files root files and folders to copy as they are
 * @param workspaces the workspaces to copy (each without its node_modules; `skip` leaves out more)
 */
export function repositoryCopy(cleanup: Cleanup, files: string[], workspaces: string[], skip = /\/node_modules(\/|$)/): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-repository-copy-'));
  cleanup.add(`remove ${dir}`, () => { rmSync(dir, { recursive: true, force: true }); });
  for (const file of files) cpSync(join(repoRoot, file), join(dir, file), { recursive: true });
  for (const workspace of workspaces) {
    cpSync(join(repoRoot, workspace), join(dir, workspace), { recursive: true, filter: (source) => !/\/node_modules(\/|$)/.test(source.slice(repoRoot.length)) && !skip.test(source.slice(repoRoot.length)) });
    // A workspace's own node_modules holds the versions it needs where they differ from the root's.
    if (existsSync(join(repoRoot, workspace, 'node_modules'))) symlinkSync(join(repoRoot, workspace, 'node_modules'), join(dir, workspace, 'node_modules'));
  }
  // Third-party packages from the real install; the workspaces copied, from this copy.
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (WORKSPACES.includes(entry)) continue;
    symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
  }
  for (const workspace of workspaces) symlinkSync(join(dir, workspace), join(modules, workspace));
  return dir;
}
