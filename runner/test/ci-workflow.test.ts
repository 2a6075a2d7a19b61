/**
 * The GitHub Actions workflow the project offers its users (.github/workflows/test.yml), checked
 * offline with GitHub's own parser (@actions/workflow-parser, the one behind the Actions language
 * server): it parses with no error, a key GitHub does not know fails, and it runs the README's
 * commands on the machine the harness is written for (Debian, root, a supported Node LTS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { repoRoot } from '../src/paths.ts';

const WORKFLOW = join(repoRoot, '.github', 'workflows', 'test.yml');
const source = readFileSync(WORKFLOW, 'utf8');

/** Every error GitHub would report for this workflow text, parsing and converting it. */
async function workflowErrors(content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: 'test.yml', content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (!parsed.value) return errors;
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  // The converter repeats the parser's errors: each once.
  return [...new Set([...errors, ...(template.errors ?? []).map((error) => error.Message)])];
}

async function job() {
  const parsed = parseWorkflow({ name: 'test.yml', content: source }, new NoOperationTraceWriter());
  if (!parsed.value) throw new Error('the workflow did not parse');
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  const [only] = template.jobs;
  if (!only || only.type !== 'job') throw new Error('the workflow has no job');
  return only;
}

describe('the GitHub Actions workflow', () => {
  it('is one GitHub accepts', async () => {
    expect(await workflowErrors(source)).toEqual([]);
  });

  it('would fail on a key GitHub does not know, so the check above means something', async () => {
    const misspelt = source.replace('    timeout-minutes: 60', '    timeout-minutes: 60\n    timeout_minute: 5');
    expect(await workflowErrors(misspelt)).toEqual([expect.stringContaining("Unexpected value 'timeout_minute'") as unknown]);
  });

  it('runs the README\'s commands: a clean install, npm test, the contract, and the smoke report it keeps', async () => {
    const steps = (await job()).steps.map((step) => ('run' in step ? String(step.run) : ''));
    expect(steps).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npm test', 'npm run contract', 'npm start -- --profile smoke --out report']));
    // The same install and test CI runs here (.ci/run).
    const here = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    expect(here).toContain('npm ci --no-audit --no-fund');
    expect(here).toContain('npm test');
    expect(source).toMatch(/uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: report-node-\$\{\{ matrix\.node \}\}\n\s+path: report\//);
  });

  it('runs on every supported Node LTS line, none out of support, on Debian as root', () => {
    expect(source).toMatch(/node: \[22, 24, 26\]/);
    // node:<n>-bookworm: Debian 12 with that Node, root by default, as the README's fresh machine;
    // the harness installs what it runs with apt-get there.
    expect(source).toContain('image: node:${{ matrix.node }}-bookworm');
    expect(source).not.toMatch(/node: \[[^\]]*\b20\b/);
  });
});
