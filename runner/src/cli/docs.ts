/** `npm run docs`: rebuilds the API reference and the diagrams' SVGs. */
import { relative } from 'node:path';
import { buildApiReference, renderDiagrams } from '../docs.ts';
import { repoRoot } from '../paths.ts';
import { describeError } from 'harness';

try {
  buildApiReference();
  console.log('docs: docs/api/index.html');
  for (const path of await renderDiagrams()) console.log(`docs: ${relative(repoRoot, path)}`);
} catch (error) {
  console.error(`docs: ${describeError(error)}`);
  process.exit(1);
}
