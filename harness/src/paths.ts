import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const phase1Dir = join(repoRoot, 'phase1-mock');
export const phase2Dir = join(repoRoot, 'phase2-production');
