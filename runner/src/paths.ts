/** Where things are in this repository: the runner is the one package that knows its layout. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const contractDir = join(repoRoot, 'contract');
export const docsDir = join(repoRoot, 'docs');
export const reportsDir = join(docsDir, 'reports');
